/// The reactor's deadlines, earliest first: a binary min-heap of (deadline, descriptor, waiter
/// id). Entries are not removed when their wait ends another way (ready, cancelled, forgotten);
/// the reactor drops such stale entries when they surface and rebuilds the heap when they
/// outnumber the live ones, which keeps every operation O(log n) amortised.
struct DeadlineHeap {
  struct Entry {
    var deadline: ContinuousClock.Instant
    var fd: Int32
    var id: UInt64
  }

  private(set) var entries: [Entry] = []

  var count: Int { entries.count }
  var first: Entry? { entries.first }

  mutating func insert(_ entry: Entry) {
    entries.append(entry)
    siftUp(from: entries.count - 1)
  }

  @discardableResult
  mutating func removeFirst() -> Entry? {
    guard !entries.isEmpty else { return nil }
    entries.swapAt(0, entries.count - 1)
    let first = entries.removeLast()
    if !entries.isEmpty { siftDown(from: 0) }
    return first
  }

  /// Keeps only the entries `isLive` accepts, in O(n).
  mutating func rebuild(keeping isLive: (Entry) -> Bool) {
    entries.removeAll { !isLive($0) }
    var index = entries.count / 2
    while index > 0 {
      index -= 1
      siftDown(from: index)
    }
  }

  private mutating func siftUp(from start: Int) {
    var child = start
    while child > 0 {
      let parent = (child - 1) / 2
      guard entries[child].deadline < entries[parent].deadline else { return }
      entries.swapAt(child, parent)
      child = parent
    }
  }

  private mutating func siftDown(from start: Int) {
    var parent = start
    while true {
      let left = 2 * parent + 1
      let right = left + 1
      var smallest = parent
      if left < entries.count && entries[left].deadline < entries[smallest].deadline { smallest = left }
      if right < entries.count && entries[right].deadline < entries[smallest].deadline { smallest = right }
      guard smallest != parent else { return }
      entries.swapAt(parent, smallest)
      parent = smallest
    }
  }
}
