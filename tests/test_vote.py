"""The server's majority vote: signs, tie rules, packed bits, and malformed messages as abstentions."""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from simulate.vote import (
    bounds_tie_rule,
    majority_vote,
    majority_vote_packed,
    pack_signs,
    unpack_signs,
    worker_sign,
)


def _votes(draw: st.DrawFn, q: int, d: int, zeros: bool = True) -> torch.Tensor:
    vals = [-1, 0, 1] if zeros else [-1, 1]
    return torch.tensor(draw(st.lists(st.lists(st.sampled_from(vals), min_size=d, max_size=d), min_size=q, max_size=q)),
                        dtype=torch.int8)


@st.composite
def vote_matrices(draw: st.DrawFn, zeros: bool = True) -> torch.Tensor:
    q = draw(st.integers(1, 9))
    d = draw(st.integers(1, 20))
    return _votes(draw, q, d, zeros)


def test_majority_vote_returns_the_sign_of_the_sum() -> None:
    votes = torch.tensor([[1, -1, 1, 0], [1, -1, -1, 0], [-1, 1, -1, 1]], dtype=torch.int8)
    res = majority_vote(votes)
    assert res.sign.tolist() == [1, -1, -1, 1]
    assert res.tally.tolist() == [1, -1, -1, 1]
    assert res.total_abstentions == 0


@pytest.mark.parametrize("tie,expected", [("zero", 0), ("plus", 1)])
def test_tie_rule_sets_the_sign_of_a_zero_sum(tie: str, expected: int) -> None:
    votes = torch.tensor([[1, 1], [-1, 1]], dtype=torch.int8)
    assert majority_vote(votes, tie).sign.tolist() == [expected, 1]


def test_random_tie_rule_is_a_fair_coin_reproducible_by_seed() -> None:
    votes = torch.tensor([[1] * 20000, [-1] * 20000], dtype=torch.int8)
    a = majority_vote(votes, "random", generator=torch.Generator().manual_seed(5)).sign
    b = majority_vote(votes, "random", generator=torch.Generator().manual_seed(5)).sign
    assert torch.equal(a, b)
    assert set(a.tolist()) == {-1, 1}
    assert abs(float((a == 1).float().mean()) - 0.5) < 0.02  # 7 standard deviations of a fair coin


BAD_ENTRIES = [math.nan, math.inf, -math.inf, 2.0, 0.5, -1.5, 1e9]


@pytest.mark.parametrize("bad", BAD_ENTRIES)
def test_a_non_sign_entry_is_an_abstention_that_is_counted(bad: float) -> None:
    votes = torch.tensor([[1.0, 1.0, -1.0], [bad, -1.0, -1.0], [-1.0, 1.0, -1.0]])
    res = majority_vote(votes)
    assert res.tally.tolist() == [0, 1, -3]  # the bad entry weighs nothing
    assert res.abstentions.tolist() == [0, 1, 0]


@pytest.mark.parametrize("value", [2, -2, 127, -128, 100])
def test_an_integer_outside_minus_one_to_one_never_weighs_more_than_one_vote(value: int) -> None:
    votes = torch.tensor([[1], [-1], [value]], dtype=torch.int8)
    res = majority_vote(votes)
    assert res.tally.tolist() == [0] and res.abstentions.tolist() == [0, 0, 1]


def test_malformed_messages_abstain_whole_and_are_reported() -> None:
    msgs: list[object] = [
        torch.tensor([1, 1, 1], dtype=torch.int8),
        torch.tensor([1, 1], dtype=torch.int8),  # wrong shape
        torch.tensor([True, True, True]),  # wrong dtype
        torch.tensor([1, 1, 1], dtype=torch.uint8),  # wrong dtype
        [1, 1, 1],  # not a tensor
        torch.tensor([-1.0, math.nan, -1.0]),  # one bad entry
        torch.tensor([1 + 0j, 1, 1]),  # complex
    ]
    res = majority_vote(msgs, shape=(3,))
    assert sorted(res.malformed) == [1, 2, 3, 4, 6]
    assert res.abstentions.tolist() == [0, 3, 3, 3, 3, 1, 3]
    assert res.tally.tolist() == [0, 1, 0]


def test_a_stacked_tensor_of_a_foreign_dtype_abstains_entirely() -> None:
    res = majority_vote(torch.ones((3, 4), dtype=torch.bool))
    assert res.tally.tolist() == [0, 0, 0, 0] and res.total_abstentions == 12 and len(res.malformed) == 3


def test_a_sequence_of_messages_needs_the_expected_shape() -> None:
    with pytest.raises(ValueError, match="argument 'shape' is required"):
        majority_vote([torch.ones(3, dtype=torch.int8)])
    with pytest.raises(ValueError, match="argument 'tie' must be one of"):
        majority_vote(torch.ones((2, 2), dtype=torch.int8), tie="coin")


@given(vote_matrices(), st.randoms(use_true_random=False))
def test_permuting_workers_does_not_change_the_vote(votes: torch.Tensor, rnd: object) -> None:
    perm = list(range(votes.shape[0]))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    assert torch.equal(majority_vote(votes).sign, majority_vote(votes[perm]).sign)


@given(vote_matrices(), st.randoms(use_true_random=False))
def test_permuting_coordinates_permutes_the_vote(votes: torch.Tensor, rnd: object) -> None:
    perm = list(range(votes.shape[1]))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    assert torch.equal(majority_vote(votes).sign[perm], majority_vote(votes[:, perm]).sign)


@given(vote_matrices())
def test_the_vote_of_d_coordinates_equals_d_scalar_votes(votes: torch.Tensor) -> None:
    whole = majority_vote(votes).sign
    for i in range(votes.shape[1]):
        assert int(majority_vote(votes[:, i : i + 1]).sign[0]) == int(whole[i])


@given(vote_matrices(zeros=False))
def test_packing_one_bit_per_coordinate_round_trips_and_votes_alike(votes: torch.Tensor) -> None:
    d = votes.shape[1]
    packed = pack_signs(votes)
    assert packed.dtype == torch.uint8 and packed.shape == (votes.shape[0], (d + 7) // 8)
    assert torch.equal(unpack_signs(packed, d), votes)
    assert torch.equal(majority_vote_packed(packed, d).sign, majority_vote(votes).sign)


def test_padding_bits_of_a_packed_message_are_ignored() -> None:
    votes = torch.tensor([[1, -1, -1]], dtype=torch.int8)
    packed = pack_signs(votes)
    packed |= 0b11111000  # set every padding bit
    assert torch.equal(unpack_signs(packed, 3), votes)


def test_malformed_packed_messages_abstain() -> None:
    good = pack_signs(torch.tensor([1, 1, 1, 1, 1, 1, 1, 1, -1], dtype=torch.int8))
    msgs = [good, good, torch.zeros(3, dtype=torch.uint8), good.to(torch.int16), "x"]
    res = majority_vote_packed(msgs, 9)
    assert sorted(res.malformed) == [2, 3, 4]
    assert res.tally.tolist() == [2] * 8 + [-2]


def test_pack_signs_refuses_zero_votes() -> None:
    with pytest.raises(ValueError, match="only -1 and \\+1"):
        pack_signs(torch.tensor([1, 0, -1], dtype=torch.int8))


def test_worker_sign_applies_the_zero_rule() -> None:
    est = torch.tensor([0.3, 0.0, -2.0])
    assert worker_sign(est).tolist() == [1, 0, -1]
    assert worker_sign(est, "plus").tolist() == [1, 1, -1]
    assert worker_sign(est, "random", torch.Generator().manual_seed(0)).tolist()[1] in (-1, 1)


def test_server_tie_rules_map_to_the_bounds_scoring() -> None:
    assert bounds_tie_rule("zero") == "fail" and bounds_tie_rule("random") == "random"
    assert bounds_tie_rule("plus", 1) == "pass" and bounds_tie_rule("plus", -1) == "fail"
