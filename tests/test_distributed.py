"""The majority vote on torch.distributed: real gloo processes on localhost (3 to 5 ranks)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

import dist_workers
from simulate.launch import launch


def _read(out: Path, world: int) -> list[dict]:
    return [json.loads((out / f"{r}.json").read_text()) for r in range(world)]


def _survivors(out: Path, world: int) -> list[dict]:
    """The reports of the ranks that lived (one rank of ``world`` was made to die or hang)."""
    outs = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    assert len(outs) == world - 1, "every surviving rank reports"
    return outs


@pytest.mark.parametrize("world", [3, 4, 5])
def test_distributed_vote_equals_the_single_process_vote_bit_for_bit(world: int, tmp_path: Path) -> None:
    launch(dist_workers.equality, world, (str(tmp_path),), timeout_s=60)
    for res in _read(tmp_path, world):
        for case, r in res.items():
            assert r["equal"], (case, r)
        assert res["2"]["planes"] == 1 and res["1"]["planes"] == 2  # one bit when no vote is 0
        assert res["malformed"]["abstentions"] == res["malformed"]["expected"]


def test_one_bit_per_coordinate_whatever_the_number_of_ranks(tmp_path: Path) -> None:
    for world in (3, 5):
        out = tmp_path / str(world)
        out.mkdir()
        launch(dist_workers.equality, world, (str(out),), timeout_s=60)
        sent = _read(out, world)[0]["2"]["sent"]  # d = 1000, one plane each way
        assert sent <= 2 * (1000 // 8 + 8 * world) + 1  # about d/8 out and d/8 back, not world * d/8


@pytest.mark.parametrize("strategy", ["blind", "random", "abstain", "colluding", "omniscient"])
def test_byzantine_ranks_vote_as_specified(strategy: str, tmp_path: Path) -> None:
    world = 5
    launch(dist_workers.byzantine, world, (str(tmp_path), strategy), timeout_s=60)
    r = _read(tmp_path, 1)[0]
    votes, owns, true = (torch.tensor(r[k]) for k in ("votes", "owns", "true"))
    byz = [world - 2, world - 1]
    for j in byz:
        if strategy == "blind":
            assert torch.equal(votes[j], -torch.sign(owns[j]).to(votes.dtype))
        elif strategy == "abstain":
            assert not votes[j].any()
        elif strategy == "random":
            assert set(votes[j].tolist()) <= {-1, 1}
        elif strategy == "omniscient":
            assert torch.equal(votes[j], -torch.sign(true).to(votes.dtype))
        else:
            own_majority = torch.sign(torch.sign(owns[byz]).sum(0))
            assert torch.equal(votes[j], -own_majority.to(votes.dtype))
    assert r["sign"] == r["ref"]


def test_ddp_comm_hook_turns_training_into_sign_majority_vote(tmp_path: Path) -> None:
    world = 3
    launch(dist_workers.ddp, world, (str(tmp_path), 0.0, 2), timeout_s=60)
    for r in _read(tmp_path, world):
        assert r["checks"] == [True, True], r


def test_a_dead_rank_makes_the_others_fail_with_a_clear_error_not_hang(tmp_path: Path) -> None:
    world = 3
    launch(dist_workers.dies, world, (str(tmp_path),), timeout_s=10)
    for o in _survivors(tmp_path, world):
        assert o["outcome"].startswith("error:") and "distributed vote failed" in o["outcome"]
        assert o["seconds"] < 30


def test_a_hanging_rank_makes_the_others_fail_at_the_timeout(tmp_path: Path) -> None:
    world = 3
    launch(dist_workers.hangs, world, (str(tmp_path),), timeout_s=3)
    for o in _survivors(tmp_path, world):
        assert o["outcome"].startswith("error:") and o["seconds"] < 8


def test_distributed_command_runs_the_toy_over_processes_and_writes_the_runner_format(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from proofs_check.cli import main

    out = tmp_path / "dist"
    assert main(["distributed", "--nproc", "3", "--byzantine-ranks", "2", "--strategy", "colluding", "--iterations",
                 "30", "--dim", "200", "--out", str(out)]) == 0
    assert "bytes sent per rank per step" in capsys.readouterr().out
    data = json.loads((out / "toy.json").read_text())
    unit = data["units"][0]
    assert unit["status"] == "done" and len(unit["curves"][0][0]) == 31
    assert unit["params"]["world"] == 3 and unit["params"]["byzantine_ranks"] == [2]
    assert unit["bytes_sent_per_step"] < 4 * 200  # well under an fp32 all-reduce of the gradient
    assert main(["plot", "toy", "--results", str(out / "toy.json"), "--out", str(tmp_path / "d.png")]) == 0


def test_distributed_command_rejects_a_byzantine_rank_outside_the_world(capsys: pytest.CaptureFixture[str]) -> None:
    from proofs_check.cli import main

    assert main(["distributed", "--nproc", "3", "--byzantine-ranks", "5", "--iterations", "2"]) == 2
    assert "argument 'byzantine_ranks' must hold ranks in [0, 2]; got 5" in capsys.readouterr().err


def test_with_abstain_on_failure_a_dead_ranks_vote_becomes_an_abstention(tmp_path: Path) -> None:
    world = 4
    launch(dist_workers.dies_then_abstains, world, (str(tmp_path),), timeout_s=3)
    for o in _survivors(tmp_path, world):
        assert o["first_equal"] and o["second_equal"] and o["abstained_ranks"] == [world - 1]


def test_the_distributed_toy_runs_under_torchrun(tmp_path: Path) -> None:
    import subprocess
    import sys

    from simulate.launch import free_port

    cmd = [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "3", "--master-addr", "127.0.0.1",
           "--master-port", str(free_port()), "-m", "simulate.distributed_toy", "--byzantine-ranks", "2",
           "--strategy", "blind", "--iterations", "10", "--dim", "64", "--timeout", "30", "--out", str(tmp_path)]
    res = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr[-2000:]
    unit = json.loads((tmp_path / "toy.json").read_text())["units"][0]
    assert unit["params"]["world"] == 3 and len(unit["curves"][0][0]) == 11


def test_ddp_hook_votes_the_sign_of_each_workers_own_momentum(tmp_path: Path) -> None:
    world = 3
    launch(dist_workers.ddp, world, (str(tmp_path), 0.9, 3), timeout_s=60)
    for r in _read(tmp_path, world):
        assert r["checks"] == [True, True, True], r
