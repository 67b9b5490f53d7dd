"""Helpers of the fault-matrix and planted-defect suites: damaged inputs, stub services, outcome ledger."""
