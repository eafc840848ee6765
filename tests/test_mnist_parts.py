"""MNIST building blocks: the torchvision loader (local, test-only split), worker chunks, the CNN, gradients."""

from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from simulate.mnist_data import MnistData, load_mnist, paper_transform, worker_chunks
from simulate.mnist_model import PaperCNN, per_worker_gradients
from tolerances import FLOAT32_GRAD_RTOL

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist"


def write_idx(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray, compress: bool) -> None:
    """Tiny IDX files in the real format (magic 2051 / 2049, big-endian sizes)."""
    img = struct.pack(">IIII", 2051, *images.shape) + images.astype(np.uint8).tobytes()
    lab = struct.pack(">II", 2049, labels.size) + labels.astype(np.uint8).tobytes()
    for name, blob in ((f"{prefix}-images-idx3-ubyte", img), (f"{prefix}-labels-idx1-ubyte", lab)):
        if compress:
            (folder / f"{name}.gz").write_bytes(gzip.compress(blob))
        else:
            (folder / name).write_bytes(blob)


@pytest.fixture
def tiny(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, np.ndarray, np.ndarray]:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(50, 28, 28))
    labels = np.arange(50) % 10
    return tmp_path, images, labels


def test_test_only_folder_is_split_and_the_split_is_stated(tiny: tuple[Path, np.ndarray, np.ndarray]) -> None:
    folder, images, labels = tiny
    write_idx(folder, "t10k", images, labels, compress=True)
    data = load_mnist(folder, train_fraction=0.8)
    assert data.train_images.shape == (40, 28, 28) and data.test_images.shape == (10, 28, 28)
    assert "only the MNIST test split" in data.note
    both = torch.cat([data.train_labels, data.test_labels]).sort().values
    assert both.tolist() == sorted(labels.tolist())  # a partition of the real files


def test_a_folder_with_both_splits_is_read_as_is(tiny: tuple[Path, np.ndarray, np.ndarray]) -> None:
    folder, images, labels = tiny
    write_idx(folder, "t10k", images[:20], labels[:20], compress=False)
    write_idx(folder, "train", images, labels, compress=False)
    data = load_mnist(folder)
    assert torch.equal(data.train_images, torch.from_numpy(images.astype(np.uint8)))
    assert "training and test splits" in data.note


def test_missing_files_are_an_error_naming_the_argument(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="argument 'root' must hold at least t10k-images"):
        load_mnist(tmp_path)


@pytest.fixture
def real_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MnistData:
    """The shared real MNIST test set (split 8,000 / 2,000), decompressed into a per-test cache."""
    if not SHARED.exists():
        pytest.skip("the shared MNIST test set is not beside this checkout")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    return load_mnist(SHARED)


def test_the_shared_real_mnist_test_set_loads_with_its_documented_label_counts(real_data: MnistData) -> None:
    data = real_data
    labels = torch.cat([data.train_labels, data.test_labels])
    assert labels.numel() == 10_000
    assert torch.bincount(labels).tolist() == [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_worker_chunks_partition_the_data_iid_or_by_label() -> None:
    labels = torch.arange(270) % 10
    for iid in (True, False):
        chunks = worker_chunks(labels, 27, iid)
        assert len(chunks) == 27 and torch.cat(chunks).sort().values.tolist() == list(range(270))
    by_label = worker_chunks(labels, 27, iid=False)
    assert all(len(set(labels[c].tolist())) <= 2 for c in by_label)


def test_paper_transform_gives_normalised_28_by_28_images() -> None:
    from PIL import Image

    img = Image.fromarray(np.full((28, 28), 255, dtype=np.uint8), mode="L")
    for train in (True, False):
        x = paper_transform(train)(img)
        assert x.shape == (1, 28, 28)
    assert paper_transform(False)(img).max().item() == pytest.approx((1 - 0.1307) / 0.3081, rel=1e-6)


def test_cnn_has_the_papers_shapes() -> None:
    model = PaperCNN()
    assert model(torch.zeros(3, 1, 28, 28)).shape == (3, 10)
    assert model.fc1.in_features == 9216


def test_batched_per_worker_gradients_equal_the_per_worker_loop() -> None:
    torch.manual_seed(0)
    model = PaperCNN().eval()  # dropout off: both methods are deterministic
    images = torch.randn(4, 3, 1, 28, 28)
    labels = torch.randint(0, 10, (4, 3))
    a = per_worker_gradients(model, images, labels, "vmap")
    b = per_worker_gradients(model, images, labels, "loop")
    assert a.shape == b.shape == (4, sum(p.numel() for p in model.parameters()))
    torch.testing.assert_close(a, b, rtol=FLOAT32_GRAD_RTOL, atol=1e-6)


def test_a_short_training_run_learns_without_adversaries_and_records_its_curve(real_data: MnistData) -> None:
    from simulate.mnist import MnistConfig, train_mnist

    data = real_data
    cfg = MnistConfig(workers=5, batch=16, iterations=12, lr=2e-3, eval_every=4, augment=True, eval_examples=500)
    clean = train_mnist(data, 0, "colluding", cfg, seed=1)
    assert clean["status"] == "done" and [c["iteration"] for c in clean["curve"]] == [1, 4, 8, 12]
    assert clean["curve"][-1]["train_loss"] < clean["curve"][0]["train_loss"]  # it learns
    assert "only the MNIST test split" in clean["note"]
    attacked = train_mnist(data, 2, "colluding", cfg, seed=1)
    assert attacked["curve"][-1]["train_loss"] > clean["curve"][-1]["train_loss"]  # 2 of 5 colluding hurt


def test_train_mnist_rejects_bad_input_naming_the_argument() -> None:
    from simulate.mnist import MnistConfig, train_mnist

    empty = MnistData(torch.zeros(10, 28, 28, dtype=torch.uint8), torch.zeros(10, dtype=torch.long),
                      torch.zeros(2, 28, 28, dtype=torch.uint8), torch.zeros(2, dtype=torch.long), "x", "")
    with pytest.raises(ValueError, match="argument 'attack'"):
        train_mnist(empty, 1, "sneaky", MnistConfig(workers=3))
    with pytest.raises(ValueError, match=r"argument 'byzantine' must be an integer in \[0, 3\]; got 4"):
        train_mnist(empty, 4, "blind", MnistConfig(workers=3))


def test_sign_statistics_on_real_gradients_are_consistent_with_the_bounds(real_data: MnistData) -> None:
    from simulate.mnist import MnistConfig, measure_sign_statistics

    data = real_data
    torch.manual_seed(0)
    model = PaperCNN().eval()
    small = MnistConfig(workers=9, batch=32)
    stats = measure_sign_statistics(model, data, small, coords=500)
    assert stats["coordinates"] > 100_000  # every parameter with a non-zero full gradient
    lo, med, hi = stats["p_quantiles"]
    assert 0.0 <= lo <= med <= hi <= 1.0
    b = stats["max_byzantine_at_median_p"]  # the paper's threshold at the median p, checked from its definition
    assert b == -1 or 2 * med * (9 - b) > 9
    assert not 2 * med * (9 - b - 1) > 9
    assert 0.0 <= stats["fraction_symmetric"] <= 1.0 and 0.0 <= stats["fraction_unimodal"] <= 1.0
    assert 0.0 < stats["fraction_zero"] < 1.0
