"""MNIST through torchvision: the paper's transforms, local folders, and the test-only case.

:func:`load_mnist` downloads when asked and able; reads a local folder of IDX files (gzip or not) with
torchvision's own IDX readers; and, when only the test split is present (as in ``../shared/data/mnist``), splits
those 10,000 real images into a training part and a held-out part and says so in ``note``, which every result
must carry.  :func:`worker_chunks` cuts the training part into one chunk per worker (iid, or by label for the
heterogeneous setting of JLH+24).
"""

from __future__ import annotations

import gzip
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import torch

__all__ = ["MnistData", "load_mnist", "default_mnist_root", "worker_chunks", "paper_transform", "paper_augment", "NORMALIZE"]

NORMALIZE = (0.1307, 0.3081)
"""The paper's normalisation (mean, std), Table 3."""

_FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


@dataclass
class MnistData:
    """Images (uint8, ``(N, 28, 28)``) and labels (int64) of a training and a test part, and where they came
    from (``note`` says when the training part is carved out of the test split)."""

    train_images: torch.Tensor
    train_labels: torch.Tensor
    test_images: torch.Tensor
    test_labels: torch.Tensor
    source: str
    note: str


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "signsgd-bft" / "mnist"


def _find(root: Path, stem: str) -> Path | None:
    for cand in (root / stem, root / f"{stem}.gz", root / "MNIST" / "raw" / stem, root / "MNIST" / "raw" / f"{stem}.gz"):
        if cand.exists():
            return cand
    return None


def _read(path: Path, images: bool) -> torch.Tensor:
    """Read an IDX file with torchvision's reader (a gzip file is decompressed to the cache first)."""
    from torchvision.datasets.mnist import read_image_file, read_label_file

    if path.suffix == ".gz":
        cache = _cache_dir()
        cache.mkdir(parents=True, exist_ok=True)
        target = cache / f"{path.stem}.{path.stat().st_size}"
        if not target.exists():
            tmp = target.with_suffix(".tmp")
            with gzip.open(path, "rb") as src, open(tmp, "wb") as dst:
                shutil.copyfileobj(src, dst)
            os.replace(tmp, target)
        path = target
    return read_image_file(str(path)) if images else read_label_file(str(path))


def load_mnist(root: str | Path | None = None, download: bool = False, train_fraction: float = 0.8,
               seed: int = 0) -> MnistData:
    """Load MNIST: download into ``root`` when ``download`` (and the network allows), else read ``root``.

    With only the test split in ``root``, a seeded permutation gives ``train_fraction`` of its images to
    training and keeps the rest held out; ``note`` says so.
    """
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"load_mnist: argument 'train_fraction' must be a real number in (0, 1); got {train_fraction!r}")
    if download:
        try:
            from torchvision.datasets import MNIST

            tr = MNIST(str(root or _cache_dir()), train=True, download=True)
            te = MNIST(str(root or _cache_dir()), train=False, download=True)
            return MnistData(tr.data, tr.targets, te.data, te.targets, "torchvision download",
                             "standard MNIST: 60,000 training and 10,000 test images")
        except Exception:  # no network: fall back to the local folder
            if root is None:
                raise ValueError("load_mnist: the download failed and no argument 'root' was given") from None
    if root is None:
        raise ValueError("load_mnist: argument 'root' must name a folder with MNIST IDX files; got None")
    folder = Path(root)
    found = {k: _find(folder, v) for k, v in _FILES.items()}
    if found["test_images"] is None or found["test_labels"] is None:
        raise ValueError(f"load_mnist: argument 'root' must hold at least t10k-images-idx3-ubyte[.gz] and "
                         f"t10k-labels-idx1-ubyte[.gz]; got {str(folder)!r}")
    test_x, test_y = _read(found["test_images"], True), _read(found["test_labels"], False)
    if found["train_images"] is not None and found["train_labels"] is not None:
        return MnistData(_read(found["train_images"], True), _read(found["train_labels"], False), test_x, test_y,
                         str(folder), f"MNIST read from {folder}: training and test splits")
    perm = torch.randperm(test_x.shape[0], generator=torch.Generator().manual_seed(seed))
    n_train = int(round(train_fraction * test_x.shape[0]))
    tr, te = perm[:n_train], perm[n_train:]
    note = (f"only the MNIST test split was found in {folder}: its {test_x.shape[0]} real images are split "
            f"(seed {seed}) into {n_train} for training and {test_x.shape[0] - n_train} held out for testing; "
            "results are not those of the 60,000-image training set")
    return MnistData(test_x[tr], test_y[tr], test_x[te], test_y[te], str(folder), note)


def worker_chunks(labels: torch.Tensor, workers: int = 27, iid: bool = True, seed: int = 0) -> list[torch.Tensor]:
    """Indices of the training part for each worker: a seeded shuffle cut into ``workers`` chunks (iid), or the
    indices sorted by label and cut into contiguous chunks (non-iid: each worker sees one or two digits)."""
    if workers < 1 or workers > labels.numel():
        raise ValueError(f"worker_chunks: argument 'workers' must be an integer in [1, {labels.numel()}]; "
                         f"got {workers!r}")
    if iid:
        order = torch.randperm(labels.numel(), generator=torch.Generator().manual_seed(seed))
    else:
        order = torch.argsort(labels, stable=True)
    return [c.clone() for c in torch.tensor_split(order, workers)]


def paper_augment():  # type: ignore[no-untyped-def]
    """The random part of the paper's transforms, on image tensors in [0, 1]: center-crop 26, resize 28,
    colour jitter, rotation 10 degrees, affine 5 degrees (works on one image or a batch)."""
    from torchvision import transforms as T

    return T.Compose([T.CenterCrop(26), T.Resize(28, antialias=True), T.ColorJitter(0.2, 0.2, 0.2, 0.1),
                      T.RandomRotation(10), T.RandomAffine(5)])


def paper_transform(train: bool = True):  # type: ignore[no-untyped-def]
    """The paper's transforms (Table 3): center-crop 26, resize 28, colour jitter, rotation 10 degrees, affine
    5 degrees, normalise; the test images are only normalised.  The jitter strengths are not printed in the
    paper; 0.2 (brightness, contrast, saturation) and 0.1 (hue) are this package's choice."""
    from torchvision import transforms as T

    norm = [T.ToTensor(), T.Normalize((NORMALIZE[0],), (NORMALIZE[1],))]
    if not train:
        return T.Compose(norm)
    return T.Compose([T.ToTensor(), paper_augment(), T.Normalize((NORMALIZE[0],), (NORMALIZE[1],))])


def default_mnist_root() -> Path | None:
    """Where MNIST is looked for when no folder is given: ``$SIGNSGD_BFT_MNIST``, then ``./data/mnist``, then
    ``../shared/data/mnist`` beside the working directory or beside this package's checkout; None if none
    holds the test split."""
    here = Path(__file__).resolve().parents[1]
    env = os.environ.get("SIGNSGD_BFT_MNIST")
    for cand in ([Path(env)] if env else []) + [Path("data/mnist"), Path("../shared/data/mnist"),
                                               here.parent / "shared" / "data" / "mnist"]:
        if _find(cand, _FILES["test_images"]) is not None and _find(cand, _FILES["test_labels"]) is not None:
            return cand
    return None
