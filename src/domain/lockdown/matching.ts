// Exact bottleneck assignment on a dense cost matrix. Rows are the smaller side, so every row
// is matched: the most pairs any matching can make. Among those matchings it finds the least
// largest cost (binary search over the sorted distinct costs, each step a Hopcroft–Karp maximum
// matching over the pairs no dearer than the candidate), then, without going above that, the
// least total cost (the Hungarian method with dearer pairs forbidden).

/** A dense matrix of finite costs ≥ 0, row-major; `rows` ≤ `cols`. */
export interface CostMatrix {
  rows: number;
  cols: number;
  cost: Float64Array;
}

/**
 * The column matched to each row (every row gets one, each column at most once) minimising the
 * largest cost first and the total second; and that largest cost (0 with no rows).
 */
export function bottleneckAssignment(matrix: CostMatrix): { columnOfRow: Int32Array; bottleneck: number } {
  const { rows, cols, cost } = matrix;
  if (rows > cols) throw new Error('bottleneckAssignment: rows must be the smaller side');
  if (rows === 0) return { columnOfRow: new Int32Array(0), bottleneck: 0 };

  const candidates = distinctSorted(cost);
  // Every row must take some column, so the answer is at least the dearest row's cheapest pair:
  // the search starts there instead of at the cheapest pair overall.
  let floor = 0;
  for (let r = 0; r < rows; r++) {
    let cheapest = Infinity;
    for (let c = 0; c < cols; c++) cheapest = Math.min(cheapest, cost[r * cols + c]!);
    floor = Math.max(floor, cheapest);
  }
  let lo = lowerBound(candidates, floor);
  let hi = candidates.length - 1; // the dearest pair admits every pair: always feasible
  const matching = { colOfRow: new Int32Array(rows).fill(NONE), rowOfCol: new Int32Array(cols).fill(NONE) };
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (maximumMatching(matrix, candidates[mid]!, matching) === rows) hi = mid;
    else lo = mid + 1;
  }
  const bottleneck = candidates[lo]!;
  return { columnOfRow: cheapestWithin(matrix, bottleneck), bottleneck };
}

function distinctSorted(values: Float64Array): Float64Array {
  const sorted = Float64Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i]!;
  return sorted.subarray(0, n);
}

/** Index of the first value ≥ x in an ascending array. */
function lowerBound(sorted: Float64Array, x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

const NONE = -1;

/**
 * Size of a maximum matching using only pairs costing ≤ limit (Hopcroft–Karp, O(E√V)), grown in
 * place from `matching`, the previous probe's. Its pairs dearer than this limit are dropped
 * first; the rest still count, so each probe of the binary search needs only a few augmentations.
 */
function maximumMatching({ rows, cols, cost }: CostMatrix, limit: number, matching: { colOfRow: Int32Array; rowOfCol: Int32Array }): number {
  const UNREACHED = 0x7fffffff;
  const { colOfRow, rowOfCol } = matching;
  const layer = new Int32Array(rows);
  const queue = new Int32Array(rows);
  let size = 0;
  for (let r = 0; r < rows; r++) {
    const c = colOfRow[r]!;
    if (c === NONE) continue;
    if (cost[r * cols + c]! <= limit) size++;
    else {
      colOfRow[r] = NONE;
      rowOfCol[c] = NONE;
    }
  }

  // Breadth first from every unmatched row through alternating paths; true when one reaches a free column.
  const layered = (): boolean => {
    let head = 0;
    let tail = 0;
    for (let r = 0; r < rows; r++) {
      if (colOfRow[r] === NONE) {
        layer[r] = 0;
        queue[tail++] = r;
      } else layer[r] = UNREACHED;
    }
    let reachesFree = false;
    while (head < tail) {
      const r = queue[head++]!;
      for (let c = 0; c < cols; c++) {
        if (cost[r * cols + c]! > limit) continue;
        const next = rowOfCol[c]!;
        if (next === NONE) reachesFree = true;
        else if (layer[next] === UNREACHED) {
          layer[next] = layer[r]! + 1;
          queue[tail++] = next;
        }
      }
    }
    return reachesFree;
  };

  // Depth first along the layers; a row that leads nowhere is closed for the rest of the phase.
  const augment = (r: number): boolean => {
    for (let c = 0; c < cols; c++) {
      if (cost[r * cols + c]! > limit) continue;
      const next = rowOfCol[c]!;
      if (next === NONE || (layer[next] === layer[r]! + 1 && augment(next))) {
        colOfRow[r] = c;
        rowOfCol[c] = r;
        return true;
      }
    }
    layer[r] = UNREACHED;
    return false;
  };

  while (layered()) {
    for (let r = 0; r < rows; r++) if (colOfRow[r] === NONE && augment(r)) size++;
  }
  return size;
}

/**
 * Least-total assignment of every row using only pairs costing ≤ limit (Hungarian method with
 * potentials, O(rows² · cols)). The caller guarantees such an assignment exists, so every
 * shortest-path step reaches a free column and no potential becomes infinite.
 */
function cheapestWithin({ rows, cols, cost }: CostMatrix, limit: number): Int32Array {
  // 1-based, column 0 a virtual start: the classic formulation, kept as is so it can be checked against it.
  const rowPotential = new Float64Array(rows + 1);
  const colPotential = new Float64Array(cols + 1);
  const rowOfCol = new Int32Array(cols + 1); // 0 = free
  const cameFrom = new Int32Array(cols + 1);
  const slack = new Float64Array(cols + 1);
  const visited = new Uint8Array(cols + 1);
  const at = (r: number, c: number): number => {
    const value = cost[(r - 1) * cols + (c - 1)]!;
    return value > limit ? Infinity : value;
  };

  for (let r = 1; r <= rows; r++) {
    rowOfCol[0] = r;
    let col = 0;
    slack.fill(Infinity);
    visited.fill(0);
    do {
      visited[col] = 1;
      const row = rowOfCol[col]!;
      let delta = Infinity;
      let nextCol = 0;
      for (let c = 1; c <= cols; c++) {
        if (visited[c]) continue;
        const reduced = at(row, c) - rowPotential[row]! - colPotential[c]!;
        if (reduced < slack[c]!) {
          slack[c] = reduced;
          cameFrom[c] = col;
        }
        if (slack[c]! < delta) {
          delta = slack[c]!;
          nextCol = c;
        }
      }
      for (let c = 0; c <= cols; c++) {
        if (visited[c]) {
          rowPotential[rowOfCol[c]!]! += delta;
          colPotential[c]! -= delta;
        } else slack[c]! -= delta;
      }
      col = nextCol;
    } while (rowOfCol[col] !== 0);
    // Flip the augmenting path back to the start.
    do {
      const previous = cameFrom[col]!;
      rowOfCol[col] = rowOfCol[previous]!;
      col = previous;
    } while (col !== 0);
  }

  const columnOfRow = new Int32Array(rows);
  for (let c = 1; c <= cols; c++) if (rowOfCol[c]) columnOfRow[rowOfCol[c]! - 1] = c - 1;
  return columnOfRow;
}
