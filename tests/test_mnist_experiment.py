"""The MNIST experiment: sign statistics, checkpoint/resume, the sweep, the tolerance comparison, plots, CLI."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from proofs_check.cli import main
from simulate import mnist_sweep
from simulate.mnist import MnistConfig, train_mnist
from simulate.mnist_data import MnistData
from simulate.mnist_stats import sign_statistics
from simulate.mnist_sweep import compare_tolerance, plot_mnist, run_mnist, summarise_mnist, write_mnist

PNG = b"\x89PNG"


def synthetic_data(n: int = 120, seed: int = 0) -> MnistData:
    """Random 28x28 images with labels: enough to exercise training, checkpoints and the sweep quickly."""
    g = torch.Generator().manual_seed(seed)
    return MnistData(torch.randint(0, 256, (n, 28, 28), generator=g, dtype=torch.uint8),
                     torch.randint(0, 10, (n,), generator=g), torch.randint(0, 256, (40, 28, 28), generator=g,
                                                                               dtype=torch.uint8),
                     torch.randint(0, 10, (40,), generator=g), "synthetic", "synthetic test data")


SMALL = MnistConfig(workers=3, batch=4, iterations=6, lr=1e-3, eval_every=2, eval_examples=30, stats_every=3)


# --- sign statistics -------------------------------------------------------------------------------------------

def test_p_counts_the_workers_whose_sign_matches_the_full_gradient_and_zeros_as_not_right() -> None:
    # 4 honest workers, 3 coordinates; full gradient signs +, -, + ; a zero full-gradient coordinate is left out
    grads = torch.tensor([[1.0, -1.0, 0.0, 5.0],
                          [2.0, -3.0, 1.0, 5.0],
                          [-1.0, 2.0, 2.0, 5.0],
                          [3.0, -1.0, -4.0, 5.0]])
    full = torch.tensor([1.0, -2.0, 0.5, 0.0])
    s = sign_statistics(grads, full, workers=6, byzantine=2, shape_coords=10)
    assert s["coordinates"] == 3 and s["honest"] == 4
    # p = 3/4, 3/4, 2/4 (the 0 entry is not a right sign); among non-zero signs the third is 2/3
    assert s["p_mean"] == pytest.approx((0.75 + 0.75 + 0.5) / 3)
    assert s["p_median"] == pytest.approx(0.75)
    assert s["fraction_zero"] == pytest.approx(1 / 12)
    assert s["p_nonzero_quantiles"][1] == pytest.approx(0.75)
    # B/Q = 1/3 needs p > 1/(2 (1 - 1/3)) = 3/4 strictly: no coordinate is covered; at B = 0 the two p = 3/4 are
    assert s["fraction_covered_at_this_b"] == 0.0
    assert sign_statistics(grads, full, workers=6, byzantine=0)["fraction_covered_at_this_b"] == pytest.approx(2 / 3)
    # |g|-weighted: (1 * 3/4 + 2 * 3/4 + 0.5 * 2/4) / 3.5; the B = 2 threshold covers no coordinate
    assert s["p_weighted"] == pytest.approx((0.75 + 1.5 + 0.25) / 3.5)
    assert s["l1_covered_at_this_b"] == 0.0
    assert sign_statistics(grads, full, workers=6)["l1_covered_at_this_b"] == pytest.approx(3 / 3.5)
    # S_i = |mean| / sd over workers, computed independently with the statistics module
    import statistics

    snrs = sorted(abs(statistics.mean(c)) / statistics.stdev(c) for c in grads[:, :3].T.tolist())
    assert s["snr_quantiles"][1] == pytest.approx(snrs[1])
    # the largest B at the median p satisfies 2 p (Q - B) > Q and B + 1 does not
    b = s["max_byzantine_at_median_p"]
    assert 2 * 0.75 * (6 - b) > 6 and not 2 * 0.75 * (6 - b - 1) > 6


def test_vote_agreement_and_vote_p_are_measured_on_what_was_sent() -> None:
    grads = torch.tensor([[1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])
    votes = torch.tensor([[1, 1], [1, 1], [1, -1]], dtype=torch.int8)
    outcome = torch.tensor([1, -1], dtype=torch.int8)
    s = sign_statistics(grads, torch.tensor([1.0, 1.0]), workers=3, votes=votes, outcome=outcome)
    assert s["p_vote_quantiles"][1] == pytest.approx(5 / 6)  # p_vote = 1 and 2/3: their median
    assert s["vote_agreement"] == pytest.approx(0.5) and s["l1_vote_agreement"] == pytest.approx(0.5)


def test_sign_statistics_rejects_mismatched_shapes_and_bad_counts() -> None:
    with pytest.raises(ValueError, match="arguments 'grads'"):
        sign_statistics(torch.zeros(3, 4), torch.zeros(5), workers=3)
    with pytest.raises(ValueError, match="argument 'grads' must hold at least 2"):
        sign_statistics(torch.zeros(1, 4), torch.zeros(4), workers=3)
    with pytest.raises(ValueError, match=r"argument 'byzantine' must be an integer in \[0, 2\]; got 3"):
        sign_statistics(torch.zeros(2, 4), torch.ones(4), workers=3, byzantine=3)


def test_gaussian_gradients_give_the_p_of_their_snr() -> None:
    # honest G_j ~ N(mu, 1) with mu = 0.5: p = Phi(0.5) = 0.6915, checked through a binomial 5-sigma interval
    import bounds

    g = torch.Generator().manual_seed(0)
    m, d = 40, 20_000
    grads = 0.5 + torch.randn(m, d, generator=g)
    s = sign_statistics(grads, torch.full((d,), 0.5), workers=m)
    p = float(bounds.GAUSSIAN.p_correct(0.5, 1))
    assert abs(s["p_mean"] - p) < 5 * math.sqrt(p * (1 - p) / (m * d))
    assert s["fraction_symmetric"] > 0.95  # Gaussian noise is symmetric ...
    assert s["snr_quantiles"][1] == pytest.approx(0.5, abs=0.05)


# --- training: checkpoints and resume --------------------------------------------------------------------------

class Interrupt(Exception):
    pass


@pytest.mark.parametrize("attack", ["colluding", "omniscient", "random"])
def test_a_run_killed_after_an_evaluation_resumes_to_the_same_numbers(attack: str, tmp_path: Path) -> None:
    data = synthetic_data()
    straight = train_mnist(data, 1, attack, SMALL, seed=3)
    ckpt = tmp_path / "run.ckpt.pt"

    def kill_at_4(point: dict[str, float]) -> None:
        if point["iteration"] == 4:
            raise Interrupt

    with pytest.raises(Interrupt):
        train_mnist(data, 1, attack, SMALL, seed=3, checkpoint=ckpt, on_eval=kill_at_4)
    assert ckpt.exists()
    seen: list[int] = []
    resumed = train_mnist(data, 1, attack, SMALL, seed=3, checkpoint=ckpt, on_eval=lambda p: seen.append(p["iteration"]))
    assert seen == [6]  # only the evaluation after the checkpoint was recomputed
    assert resumed["curve"] == straight["curve"] and resumed["stats"] == straight["stats"]
    assert not ckpt.exists()  # removed once the run is finished


def test_with_checkpoint_every_2_a_kill_resumes_from_the_last_written_evaluation(tmp_path: Path) -> None:
    data = synthetic_data()
    straight = train_mnist(data, 1, "colluding", SMALL, seed=3)
    ckpt = tmp_path / "run.ckpt.pt"

    def kill_at_4(point: dict[str, float]) -> None:
        if point["iteration"] == 4:
            raise Interrupt

    with pytest.raises(Interrupt):  # evaluations at 1, 2, 4: only the second one was checkpointed
        train_mnist(data, 1, "colluding", SMALL, seed=3, checkpoint=ckpt, on_eval=kill_at_4, checkpoint_every=2)
    seen: list[int] = []
    resumed = train_mnist(data, 1, "colluding", SMALL, seed=3, checkpoint=ckpt, checkpoint_every=2,
                          on_eval=lambda p: seen.append(p["iteration"]))
    assert seen == [4, 6] and resumed["curve"] == straight["curve"] and resumed["stats"] == straight["stats"]
    with pytest.raises(ValueError, match="argument 'checkpoint_every' must be an integer >= 1; got 0"):
        train_mnist(data, 1, "colluding", SMALL, checkpoint_every=0)


def test_a_checkpoint_of_other_parameters_is_not_used(tmp_path: Path) -> None:
    data = synthetic_data()
    ckpt = tmp_path / "run.ckpt.pt"

    def stop(point: dict[str, float]) -> None:
        raise Interrupt

    with pytest.raises(Interrupt):
        train_mnist(data, 1, "blind", SMALL, seed=3, checkpoint=ckpt, on_eval=stop)
    other = train_mnist(data, 0, "blind", SMALL, seed=3, checkpoint=ckpt)
    assert other == train_mnist(data, 0, "blind", SMALL, seed=3)


def test_stats_are_tracked_every_stats_every_iterations() -> None:
    out = train_mnist(synthetic_data(), 1, "colluding", SMALL, seed=0)
    assert [s["iteration"] for s in out["stats"]] == [0, 3]
    assert all(s["honest"] == 2 and s["byzantine"] == 1 for s in out["stats"])
    assert [c["iteration"] for c in out["curve"]] == [1, 2, 4, 6]


def test_mnist_config_rejects_bad_values_naming_the_argument() -> None:
    with pytest.raises(ValueError, match=r"argument 'momentum' must be a real number in \[0, 1\); got 1.0"):
        MnistConfig(momentum=1.0)
    with pytest.raises(ValueError, match=r"argument 'lr' must be a real number in \(0, inf\); got 0.0"):
        MnistConfig(lr=0.0)
    with pytest.raises(ValueError, match="argument 'batch' must be an integer >= 1; got 0"):
        MnistConfig(batch=0)
    with pytest.raises(ValueError, match="argument 'method'"):
        MnistConfig(method="fast")


# --- the sweep and the comparison -----------------------------------------------------------------------------

def test_the_sweep_caches_every_run_and_a_rerun_trains_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    data = synthetic_data()
    first = run_mnist(data, [0, 1], [4], ["colluding"], SMALL, iterations=4, cache=tmp_path, progress=False)
    assert [r["status"] for r in first] == ["done", "done"]
    assert first[0]["seed"] == first[1]["seed"]  # common random numbers across B
    assert not list(tmp_path.glob("*.ckpt.pt"))

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cached run was trained again")

    monkeypatch.setattr(mnist_sweep, "train_mnist", no_training)
    again = run_mnist(data, [0, 1], [4], ["colluding"], SMALL, iterations=4, cache=tmp_path, progress=False)
    assert again == first


def test_run_mnist_rejects_bad_sweeps_naming_the_argument() -> None:
    data = synthetic_data()
    with pytest.raises(ValueError, match=r"argument 'byzantine' must hold integers in \[0, 2\]; got 3"):
        run_mnist(data, [3], [4], config=SMALL, progress=False)
    with pytest.raises(ValueError, match="argument 'attacks'"):
        run_mnist(data, [0], [4], ["sneaky"], SMALL, progress=False)


def _row(batch: int, b: int, acc: float, p: float = 0.75) -> dict[str, object]:
    return {"attack": "colluding", "batch": batch, "byzantine": b, "workers": 27, "converged": acc >= 0.8,
            "target": 0.8, "iterations": 10, "p_median_init": p, "p_median_mean": p, "p_weighted_init": 0.9,
            "p_weighted_mean": 0.9}


def test_observed_tolerance_is_the_largest_b_below_the_first_failure() -> None:
    rows = [_row(64, 0, 0.9), _row(64, 5, 0.5), _row(64, 9, 0.9)]
    (c,) = compare_tolerance(rows)
    assert c["largest_b_observed"] == 0 and c["converged_b"] == [0, 9]
    # p = 3/4, Q = 27: 2 (3/4) (27 - B) > 27 <=> B < 9
    assert c["largest_b_predicted_median_init"] == 8
    assert c["alpha_star_median_init"] == pytest.approx(1 - 1 / 1.5)
    # p = 0.9: 1.8 (27 - B) > 27 <=> B < 12
    assert c["largest_b_predicted_weighted_mean"] == 11


def test_the_papers_observations_are_marked_reproduced_or_not() -> None:
    ok = compare_tolerance([_row(64, b, 0.9 if b <= 9 else 0.3) for b in (0, 9, 10, 13)])[0]
    assert ok["paper_verdict"].startswith("reproduced at B = 0, 9, 10, 13")
    bad = compare_tolerance([_row(64, 10, 0.9)])[0]
    assert bad["paper_verdict"].startswith("not reproduced at B = 10 (converged)")
    b256 = compare_tolerance([_row(256, 13, 0.95)])[0]
    assert b256["paper_verdict"].startswith("not reproduced at B = 13 (converged)")
    untested = compare_tolerance([_row(256, 5, 0.95)])[0]
    assert untested["paper_verdict"].startswith("not tested")
    b512 = compare_tolerance([_row(512, 13, 0.95)])[0]
    assert b512["paper_verdict"].startswith("reproduced at B = 13")
    other = compare_tolerance([{**_row(64, 10, 0.9), "attack": "omniscient"}])[0]
    assert other["paper_verdict"].startswith("not tested (the paper's Figures 2-4 use the colluding attack only)")


def test_summary_plot_and_cli_redraw_from_the_results_file(tmp_path: Path) -> None:
    data = synthetic_data()
    recs = run_mnist(data, [0, 1], [4], ["colluding"], SMALL, iterations=4, cache=tmp_path / "cache", progress=False)
    rows = summarise_mnist(recs, target=0.05)
    assert [r["byzantine"] for r in rows] == [0, 1]
    assert rows[0]["final_accuracy"] == pytest.approx(sum(c["test_accuracy"] for c in recs[0]["curve"][-3:]) / 3)
    assert rows[0]["note"] == "synthetic test data"
    comparison = compare_tolerance(rows)
    json_path, csv_path = write_mnist(recs, rows, comparison, tmp_path)
    assert json.loads(Path(json_path).read_text())["comparison"] == json.loads(json.dumps(comparison))
    assert Path(csv_path).read_text().splitlines()[0].startswith("attack,batch,byzantine")
    assert Path(plot_mnist(json_path, tmp_path / "a.png")).read_bytes()[:4] == PNG
    assert main(["plot", "mnist", "--results", json_path, "--out", str(tmp_path / "b.png")]) == 0
    assert (tmp_path / "b.png").read_bytes()[:4] == PNG
    with pytest.raises(ValueError, match="argument 'out' must end in one of"):
        plot_mnist(json_path, tmp_path / "c.txt")
    with pytest.raises(ValueError, match="plot_mnist: argument 'results' must be a results file holding 'runs'"):
        plot_mnist(csv_path, tmp_path / "c.png")
    # the command rebuilds everything from results files alone (a run given twice is kept once)
    assert main(["mnist", "--from-results", json_path, json_path, "--target", "0.05", "--out",
                 str(tmp_path / "re")]) == 0
    rebuilt = json.loads((tmp_path / "re" / "mnist.json").read_text())
    assert rebuilt["summary"] == json.loads(json.dumps(rows)) and len(rebuilt["runs"]) == 2
    assert (tmp_path / "re" / "mnist.png").read_bytes()[:4] == PNG
    assert main(["mnist", "--from-results", csv_path, "--out", str(tmp_path / "bad")]) == 2


def test_mnist_command_without_data_says_where_it_looked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SIGNSGD_BFT_MNIST", str(tmp_path / "nowhere"))
    monkeypatch.setattr("simulate.mnist_data.default_mnist_root", lambda: None)
    assert main(["mnist", "--out", str(tmp_path)]) == 2
    assert "argument '--data' must name a folder" in capsys.readouterr().err


def test_the_report_says_why_mnist_was_not_run_when_the_data_is_missing(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from proofs_check.report_mnist import mnist_section

    monkeypatch.setattr("simulate.mnist_data.default_mnist_root", lambda: None)
    part, md, figures = mnist_section(tmp_path, tmp_path / "figures")
    assert "no MNIST files found" in part["skipped"] and md.startswith("## MNIST\n\nNot run: no MNIST files")
    assert figures == {} and not list(tmp_path.iterdir())


def test_the_table_warns_when_a_batch_is_larger_than_a_workers_chunk() -> None:
    from simulate.mnist_sweep import format_mnist_table

    rows = [{**_row(512, 0, 0.9), "alpha": 0.0, "final_accuracy": 0.9, "final_train_loss": 0.3, "chunk_size": 296}]
    text = format_mnist_table(rows, compare_tolerance(rows))
    assert "batch 512 exceeds a worker's chunk of 296 images" in text
    rows[0]["chunk_size"] = 2222
    assert "exceeds" not in format_mnist_table(rows, compare_tolerance(rows))
