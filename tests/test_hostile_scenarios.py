"""Hostile scenario files: a corpus of known attacks and >= 1,000 generated files through
``zonesim validate`` in-process. No traceback, no hang, every rejection names file and field
(or, for a file that is not valid YAML at all, its line)."""

from __future__ import annotations

import contextlib
import copy
import io
import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from zonesim.cli import main
from zonesim.scenario import ScenarioError, load_scenario

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "data" / "hostile"
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def validate(path: Path) -> tuple[int, str, float]:
    """``zonesim validate PATH`` in-process: exit status, stderr, seconds."""
    err = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        status = main(["validate", str(path)])
    return status, err.getvalue(), time.perf_counter() - t0


def names_file_and_place(message: str, path: Path) -> bool:
    """The message names the file and a field, or (for a file that is not YAML) a line."""
    place = "field '" in message or re.search(r"line \d+", message) is not None
    return str(path.parent) in message and place


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """The corpus with the current baseline beside it (files extend ``baseline.yaml``)."""
    folder = tmp_path_factory.mktemp("hostile") / "hostile"
    shutil.copytree(CORPUS, folder)
    shutil.copyfile(BASELINE, folder / "baseline.yaml")
    validate(folder / "baseline.yaml")  # warm up: the first call imports the command's modules
    return folder


CASES = sorted(p.name for p in CORPUS.glob("*.yaml"))


@pytest.mark.parametrize("name", CASES)
def test_corpus_file_is_rejected_quickly_with_a_clear_message(corpus, name):
    path = corpus / name
    expect = path.read_bytes().split(b"\n", 1)[0].decode().removeprefix("# expect: ").strip()
    status, err, seconds = validate(path)
    assert status == 2, err
    assert "Traceback" not in err and err.startswith("error: ")
    assert expect in err, err[:500]
    assert names_file_and_place(err, path), err[:500]
    assert seconds < 5, f"{name}: {seconds:.1f} s"
    assert len(err) < 10_000  # never an expanded value


def test_the_error_names_the_file_that_holds_the_bad_value(corpus):
    _, err, _ = validate(corpus / "bad_in_parent_child.yaml")
    assert f"{corpus / 'sub' / 'bad_parent.yaml'}, line 3: field 'firms.n_firms'" in err
    assert "bad_in_parent_child.yaml" not in err


def test_extends_within_the_folder_tree_works_and_allow_extends_widens_it(tmp_path):
    (tmp_path / "shared").mkdir()
    shutil.copyfile(BASELINE, tmp_path / "shared" / "baseline.yaml")
    (tmp_path / "mine").mkdir()
    child = tmp_path / "mine" / "child.yaml"
    child.write_text("extends: ../shared/baseline.yaml\nname: child\n")
    with pytest.raises(ScenarioError, match="outside the scenario's folder tree"):
        load_scenario(child)
    assert load_scenario(child, allow_extends=[tmp_path / "shared"]).name == "child"
    assert main(["validate", "--allow-extends", str(tmp_path / "shared"), str(child)]) == 0
    # a symbolic link inside the tree pointing outside it is not followed either
    (tmp_path / "mine" / "link.yaml").symlink_to(tmp_path / "shared" / "baseline.yaml")
    child.write_text("extends: link.yaml\nname: child\n")
    with pytest.raises(ScenarioError, match="outside the scenario's folder tree"):
        load_scenario(child)


def test_every_limit_and_range_reason_is_documented():
    from zonesim.scenario import LIMITS, RANGE_REASONS

    doc = (ROOT / "docs" / "scenarios.md").read_text()
    for field in RANGE_REASONS:
        assert f"`{field}`" in doc, field
    for value in LIMITS.values():
        assert f"{value:,}" in doc or f" {value} " in doc, value


def test_shipped_scenarios_still_validate():
    for path in sorted((ROOT / "scenarios").glob("*.yaml")):
        status, err, _ = validate(path)
        assert status == 0, err


# ------------------------------------------------------------------ generated files
VALID = yaml.safe_load(BASELINE.read_text())
VALID["levers"] = {
    "carbon_price": {"path": {2021: 50.0, 2025: 100.0}},
    "coal_reduction": {"cut_pct_by_year": {2025: 10.0}, "substitution_ratio": 1.2, "start_year": 2021},
    "green_finance": {"rate_discount_pp": 1.0, "loan_volume_bn_cny_per_year": 5.0, "eligible": ["solar"]},
}

_scalar_text = st.one_of(
    st.sampled_from(
        [
            "true",
            "false",
            "null",
            "~",
            ".nan",
            ".inf",
            "-.inf",
            "1e400",
            "1.0e+400",
            "-0.0",
            "0x1F",
            "0o17",
            "9" * 40,
            "9" * 5000,
            "2021-01-01",
            "'all'",
            "[]",
            "{}",
            '""',
            "Z99",
            "[Z01, Z99]",
            "!!python/object:os.system x",
            "!!binary aGVsbG8=",
            "*nowhere",
            "&anchor 5",
            "[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]",
            "'" + "x" * 3000 + "'",
        ]
    ),
    st.integers(-(2**70), 2**70).map(str),
    st.floats(allow_nan=False, allow_infinity=False).map(repr),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12).map(
        lambda t: _dump(t).strip().removesuffix("...").strip()
    ),
)


_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def _dump(data: object) -> str:
    return yaml.dump(data, Dumper=_DUMPER, allow_unicode=True, sort_keys=False)


def _paths(d: dict, prefix: tuple = ()) -> list[tuple]:
    out = []
    for k, v in d.items():
        out.append((*prefix, k))
        if isinstance(v, dict):
            out.extend(_paths(v, (*prefix, k)))
    return out


PATHS = _paths(VALID)
VALID_TEXT = _dump(VALID)


@st.composite
def hostile_files(draw) -> str:
    """YAML text: a valid scenario with one hostile change, or hostile structure outright."""
    kind = draw(st.integers(0, 5))
    if kind <= 1:  # replace one setting's value by raw hostile YAML text
        path = draw(st.sampled_from(PATHS))
        marker = "__HOSTILE__"
        data = copy.deepcopy(VALID)
        node = data
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = marker
        return _dump(data).replace(f"'{marker}'", draw(_scalar_text)).replace(marker, draw(_scalar_text))
    if kind == 2:  # duplicate or extra keys, at the top or inside a lever
        text = VALID_TEXT
        key = draw(st.sampled_from(["seed", "name", "bogus", "levers", "extends", "horizon"]))
        return text + f"{key}: {draw(_scalar_text)}\n"
    if kind == 3:  # extends to somewhere
        target = draw(
            st.sampled_from(
                ["/etc/passwd", "../x.yaml", "~/.bashrc", "a" * 400, "", ".", "/proc/self/environ"]
            )
            | st.text(max_size=20)
        )
        return f"extends: {_dump(target).strip().removesuffix('...').strip()}\nname: x\n"
    if kind == 4:  # nesting and aliases
        depth = draw(st.integers(1, 400))
        if draw(st.booleans()):
            return "name: " + "[" * depth + "1" + "]" * depth + "\n"
        n = draw(st.integers(1, 12))
        return "a: &a [1, 2]\n" + "".join(f"k{i}: *a\n" for i in range(n))
    # arbitrary text
    return draw(st.text(max_size=200))


STATS = {"files": 0, "rejected": 0, "accepted": 0, "seconds": 0.0, "slowest": 0.0, "first": 0.0, "wall": 0.0}


@settings(
    max_examples=1100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=hostile_files())
def test_generated_files_never_traceback_or_hang(corpus, text):
    path = corpus / "generated.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    if STATS["files"] == 0:
        STATS["first"] = time.perf_counter()
    status, err, seconds = validate(path)  # an exception here fails the test: no traceback allowed
    STATS["wall"] = time.perf_counter() - STATS["first"]  # generation, writing and validation
    STATS["files"] += 1
    STATS["seconds"] += seconds
    STATS["slowest"] = max(STATS["slowest"], seconds)
    assert seconds < 5, f"{seconds:.1f} s for:\n{text[:300]}"
    assert "Traceback" not in err
    if status == 0:
        STATS["accepted"] += 1
    else:
        assert status == 2
        STATS["rejected"] += 1
        assert names_file_and_place(err, path), f"{err[:400]}\nfor:\n{text[:300]}"
        assert len(err) < 10_000


def test_generated_files_budget():
    """Runs after the fuzz test (file order): >= 1,000 files in under 60 s of validation."""
    if STATS["files"] == 0:
        pytest.fail("the fuzz test did not run before this check (run the whole file)")
    print(f"generated files: {STATS}")  # shown with -s: the measured figures
    assert STATS["files"] >= 1000, STATS
    assert STATS["seconds"] < 60, STATS
    assert STATS["wall"] < 60, STATS
    assert STATS["rejected"] > 0.5 * STATS["files"], STATS  # the generator does produce hostile files
