import Testing
@testable import FleetPortsSSH

/// The reactor's deadline heap, below the reactor's loop.
@Suite struct DeadlineHeapTests {
  @Test func entriesComeOutEarliestFirst() {
    let start = ContinuousClock.now
    var generator = SystemRandomNumberGenerator()
    let offsets = (0..<200).map { _ in Int.random(in: 0..<10_000, using: &generator) }
    var heap = DeadlineHeap()
    for (index, offset) in offsets.enumerated() {
      heap.insert(DeadlineHeap.Entry(deadline: start + .milliseconds(offset), fd: Int32(index), id: UInt64(index)))
    }
    var out: [ContinuousClock.Instant] = []
    while let entry = heap.removeFirst() { out.append(entry.deadline) }
    #expect(out == offsets.sorted().map { start + .milliseconds($0) })
  }

  @Test func rebuildKeepsOnlyLiveEntriesInOrder() {
    let start = ContinuousClock.now
    var heap = DeadlineHeap()
    for index in (0..<100).reversed() {
      heap.insert(DeadlineHeap.Entry(deadline: start + .milliseconds(index), fd: Int32(index), id: UInt64(index)))
    }
    heap.rebuild { $0.id.isMultiple(of: 3) }
    #expect(heap.count == 34)
    var ids: [UInt64] = []
    while let entry = heap.removeFirst() { ids.append(entry.id) }
    #expect(ids == Array(stride(from: 0, to: 100, by: 3)))
  }
}
