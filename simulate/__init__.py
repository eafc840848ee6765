"""simulate: the torch side of signsgd-bft (majority vote, adversaries, Monte Carlo, experiments).

Not available yet in this release: the server's vote, the adversary
strategies and the Monte Carlo vote engine arrive with issue 3, the toy
quadratic with issue 5, MNIST with issue 6 and the torch.distributed back end
with issue 7.  The package exists so that the distribution's layout is final.
"""

__all__: list[str] = []
