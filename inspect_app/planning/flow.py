"""The planner's arithmetic: who makes how many of which visits, as a max flow.

Pure, and internal to planning.planner, whose docstring gives the rules this serves. `Router`
routes visits from classes of alike stores to inspectors within load bands; `Network` is the
max-flow network it builds (Dinic's algorithm); `highest` and `lowest` are the binary searches
both use.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class Router:
    """Route visits from classes of alike stores (quota, last inspector) to inspectors."""

    def __init__(self, classes: list[tuple[int, int]], sizes: list[int], limits: list[int]):
        self.classes, self.sizes, self.limits = classes, sizes, limits
        self.total = sum(k * n for (k, _), n in zip(classes, sizes, strict=True))

    def plan(self) -> list[list[int]]:
        """Return visits per class and inspector, as balanced as the no-repeat rule allows."""

        def band(level: int) -> list[int]:
            return [min(limit, max(level, 0)) for limit in self.limits]

        def fits(low: int, high: int) -> bool:
            return self.route(band(low), band(high), repeats=False) is not None

        level = highest(0, self.total, lambda t: sum(band(t)) <= self.total)
        top = level if sum(band(level)) == self.total else level + 1
        flows = self.route(band(top - 1), band(top), repeats=False)
        if flows is None and not fits(0, self.total):
            # A lone inspector or tight capacities: no plan avoids a repeat, so balance anyway.
            flows = self.route(band(top - 1), band(top), repeats=True)
        elif flows is None:
            top = lowest(top, self.total, lambda high: fits(0, high))
            bottom = highest(0, top - 1, lambda low: fits(low, top))
            flows = self.route(band(bottom), band(top), repeats=False)
        if flows is None:  # pragma: no cover - the searches above only end on a feasible band
            raise AssertionError("no feasible band")
        return flows

    def route(self, low: list[int], high: list[int], repeats: bool) -> list[list[int]] | None:
        """Return flows with low <= load <= high per inspector, or None when none exist."""
        m, c = len(self.limits), len(self.classes)
        net = Network(c + m + 2)
        source, sink = 0, c + m + 1
        plain: list[list[int]] = []
        extra: list[tuple[int, int, int, int]] = []  # class, inspector, edge, capacity
        for ci, ((k, last), n) in enumerate(zip(self.classes, self.sizes, strict=True)):
            net.add_edge(source, 1 + ci, k * n)
            row = []
            for j in range(m):
                most = k // 2 if j == last else (k + 1) // 2
                row.append(net.add_edge(1 + ci, 1 + c + j, most * n))
                if repeats and most < k:
                    extra.append((ci, j, net.add_edge(1 + ci, 1 + c + j, 0), (k - most) * n))
            plain.append(row)
        to_sink = [net.add_edge(1 + c + j, sink, low[j]) for j in range(m)]

        def push() -> None:
            # Edges that allow a repeat open only once the others are used up.
            net.max_flow(source, sink)
            if extra:
                for _, _, edge, capacity in extra:
                    net.set_capacity(edge, capacity)
                net.max_flow(source, sink)

        push()
        if sum(net.flow(edge) for edge in to_sink) < sum(low):
            return None
        for edge, capacity in zip(to_sink, high, strict=True):
            net.set_capacity(edge, capacity)
        for _, _, edge, _ in extra:
            net.set_capacity(edge, net.flow(edge))  # closed again, keeping their flow
        push()
        if sum(net.flow(edge) for edge in to_sink) < self.total:
            return None
        flows = [[net.flow(edge) for edge in row] for row in plain]
        for ci, j, edge, _ in extra:
            flows[ci][j] += net.flow(edge)
        return flows


class Network:
    """A max-flow network over integer capacities, solved by Dinic's algorithm."""

    def __init__(self, size: int) -> None:
        self.out: list[list[int]] = [[] for _ in range(size)]  # edge ids leaving each node
        self.head: list[int] = []  # node each edge points to; edge ^ 1 is its reverse
        self.residual: list[int] = []

    def add_edge(self, tail: int, head: int, capacity: int) -> int:
        """Add an edge and its reverse; return the edge's id."""
        edge = len(self.head)
        self.out[tail].append(edge)
        self.out[head].append(edge + 1)
        self.head += [head, tail]
        self.residual += [capacity, 0]
        return edge

    def flow(self, edge: int) -> int:
        """Return the flow on an edge."""
        return self.residual[edge ^ 1]

    def set_capacity(self, edge: int, capacity: int) -> None:
        """Change an edge's capacity; it must not fall below the edge's flow."""
        self.residual[edge] = capacity - self.flow(edge)

    def max_flow(self, source: int, sink: int) -> int:
        """Push as much more flow from source to sink as fits; return how much."""
        total = 0
        while True:
            level = self._levels(source)
            if level[sink] < 0:
                return total
            cursor = [0] * len(self.out)
            while pushed := self._augment(source, sink, level, cursor):
                total += pushed

    def _levels(self, source: int) -> list[int]:
        """Return each node's distance from source over edges with room, -1 if unreachable."""
        level = [-1] * len(self.out)
        level[source] = 0
        queue = deque([source])
        while queue:
            node = queue.popleft()
            for edge in self.out[node]:
                head = self.head[edge]
                if self.residual[edge] > 0 and level[head] < 0:
                    level[head] = level[node] + 1
                    queue.append(head)
        return level

    def _augment(self, source: int, sink: int, level: list[int], cursor: list[int]) -> int:
        """Push flow along one shortest path with room; return how much (0: blocked)."""
        path: list[int] = []
        node = source
        while node != sink:
            edges = self.out[node]
            while cursor[node] < len(edges):
                edge = edges[cursor[node]]
                if self.residual[edge] > 0 and level[self.head[edge]] == level[node] + 1:
                    break
                cursor[node] += 1
            else:
                if node == source:
                    return 0
                level[node] = -1  # a dead end: nothing through it reaches the sink this round
                node = self.head[path.pop() ^ 1]
                cursor[node] += 1
                continue
            path.append(edge)
            node = self.head[edge]
        pushed = min(self.residual[edge] for edge in path)
        for edge in path:
            self.residual[edge] -= pushed
            self.residual[edge ^ 1] += pushed
        return pushed


def highest(low: int, high: int, ok: Callable[[int], bool]) -> int:
    """Return the largest x in low..high with ok(x), given ok(low) and ok monotone."""
    while low < high:
        middle = (low + high + 1) // 2
        if ok(middle):
            low = middle
        else:
            high = middle - 1
    return low


def lowest(low: int, high: int, ok: Callable[[int], bool]) -> int:
    """Return the smallest x in low..high with ok(x), given ok(high) and ok monotone."""
    while low < high:
        middle = (low + high) // 2
        if ok(middle):
            high = middle
        else:
            low = middle + 1
    return low
