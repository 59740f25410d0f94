import Mustache

/// The HTML report's view model: plain strings, numbers and lists the templates read. Each
/// type answers Mustache's lookups by name (`MustacheParent`), which is much faster than the
/// reflection swift-mustache falls back to, so a 1,000-host fleet renders in well under a second.
/// Host-supplied strings stay raw here: the templates print them with `{{ }}`, which escapes them.
/// swift-mustache treats `""` and `0` as true in sections, so values used as section
/// conditions answer `absent` when empty or zero.
enum HTMLView {
  /// What a view answers for a name it owns but has no value for: false in a section, nothing
  /// as text. Not nil: for nil, swift-mustache asks every enclosing view for the name (casts and
  /// a lookup each), and on a 200-host report of mostly empty matrix cells those walks were
  /// most of the page's rendering.
  struct Absent: MustacheCustomRenderable {
    var renderText: String { "" }
    var isNull: Bool { true }
  }
  static let absent = Absent()

  struct Page: MustacheParent {
    var inventory: String
    var startedAt: String
    var finishedAt: String
    var toolVersion: String
    var method: String
    var interrupted: Bool
    var nonce: String
    var severities: [String]
    var filterHosts: [String]
    var filterRules: [String]
    var matrix: Matrix
    var hosts: [Host]
    var failed: [FailedHost]
    var notes: [String]
    /// "Changes since the previous scan"; nil when there is no previous scan.
    var changes: Changes?
    /// The fleet-wide sections (overview, services, rule groups, connections), built by
    /// `HTMLViewBuilder+Sections` as dictionaries with section-prefixed keys.
    var sections: [String: Any] = [:]
    /// Whether the scan has any finding (suppressed ones included).
    var hasFindings: Bool

    func child(named name: String) -> Any? {
      switch name {
      case "changes": return changes
      case "inventory": return inventory
      case "startedAt": return startedAt
      case "finishedAt": return finishedAt
      case "toolVersion": return toolVersion
      case "method": return method
      case "interrupted": return interrupted
      case "nonce": return nonce
      case "hasFindings": return hasFindings
      case "severities": return severities
      case "filterHosts": return filterHosts
      case "filterRules": return filterRules
      case "matrix": return matrix
      case "hosts": return hosts
      case "hasHosts": return !hosts.isEmpty
      case "failed": return failed
      case "hasFailed": return !failed.isEmpty
      case "notes": return notes
      case "hasNotes": return !notes.isEmpty
      default: return sections[name]
      }
    }
  }

  struct Matrix: MustacheParent {
    var columns: [String]
    var rows: [MatrixRow]
    var hiddenColumns: Int
    /// Scanned hosts when the matrix was left out for their number (`matrixHostLimit`), else 0.
    var omittedHosts: Int
    func child(named name: String) -> Any? {
      switch name {
      case "omittedHosts": return omittedHosts > 0 ? omittedHosts : HTMLView.absent
      case "columns": return columns
      case "rows": return rows
      case "hasColumns": return !columns.isEmpty
      case "hiddenColumns": return hiddenColumns > 0 ? hiddenColumns : HTMLView.absent
      default: return nil
      }
    }
  }

  struct MatrixRow: MustacheParent {
    var host: String
    var anchor: String
    var cells: [MatrixCell]
    func child(named name: String) -> Any? {
      switch name {
      case "host": return host
      case "anchor": return anchor
      case "cells": return cells
      default: return nil
      }
    }
  }

  struct MatrixCell: MustacheParent {
    /// Empty for a port the host does not listen on.
    var reach: String
    var label: String
    var rank: Int
    var title: String
    /// The host's most open effective exposure on the port (`blocked`, `restricted`, …): the
    /// cell's `x-` class; empty when not judged.
    var exposure: String = ""
    func child(named name: String) -> Any? {
      switch name {
      case "reach": return reach.isEmpty ? HTMLView.absent : reach
      case "exposure": return exposure.isEmpty ? HTMLView.absent : exposure
      case "label": return label
      case "rank": return rank
      case "title": return title
      default: return nil
      }
    }
  }

  struct Host: MustacheParent {
    var anchor: String
    var name: String
    var address: String
    var port: Int
    var user: String
    var groups: String
    var hostname: String
    var os: String
    var kernel: String
    var duration: String
    var publicCount: Int
    var findingCount: Int
    var tcp: [Listener]
    var udp: [Listener]
    var unix: [Listener]
    /// UDP client sockets (`HostResult.udpClientSockets`): shown apart, not counted as listeners.
    var udpClients: [Listener] = []
    var states: [StateSegment]
    var stateTotal: Int
    var overflows: String
    var drops: String
    var provenance: Provenance
    var findings: [FindingLink]
    /// Established connections per listener (`hcListener`, `hcEstablished`, `hcPeers`, `hcNetworks`).
    var connections: [[String: Any]] = []
    /// In a fleet view: `shard 2/4 · scanned 2026-11-30T02:00:00Z`; empty in a single scan.
    var shard = ""
    func child(named name: String) -> Any? {
      switch name {
      case "anchor": return anchor
      case "hostShard": return shard.isEmpty ? HTMLView.absent : shard
      case "name": return self.name
      case "address": return address
      case "port": return port
      case "user": return user
      case "groups": return groups.isEmpty ? HTMLView.absent : groups
      case "hostname": return hostname
      case "os": return os
      case "kernel": return kernel
      case "duration": return duration.isEmpty ? HTMLView.absent : duration
      case "publicCount": return publicCount == 0 ? HTMLView.absent : publicCount
      // A nil would make Mustache look the name up in the page (the fleet's total): own key.
      case "hostFindingCount": return findingCount == 0 ? HTMLView.absent : findingCount
      case "listenerCount": return tcp.count + udp.count + unix.count
      case "tcp": return tcp
      case "hasTCP": return !tcp.isEmpty
      case "udp": return udp
      case "hasUDP": return !udp.isEmpty
      case "unix": return unix
      case "hasUnix": return !unix.isEmpty
      case "udpClients": return udpClients
      case "hasUDPClients": return !udpClients.isEmpty
      case "states": return states
      case "hasStates": return !states.isEmpty
      case "stateTotal": return stateTotal
      case "overflows": return overflows
      case "drops": return drops
      case "provenance": return provenance
      case "findings": return findings
      case "hasFindings": return !findings.isEmpty
      case "hostConnections": return connections
      case "hasHostConnections": return !connections.isEmpty
      case "groupNames": return groups
      default: return nil
      }
    }
  }

  struct Listener: MustacheParent {
    var bind: String
    var port: String
    var portSort: Int
    var process: String
    var user: String
    var reach: String
    var reachRank: Int
    var detail: String
    /// The effective exposure through the firewall (`open`, `blocked`, …) and its summary with
    /// the deciding rule (host text: escaped by `{{ }}`); empty when not judged or unknown (the
    /// host's line says why once: a 1,000-host report stays small).
    var exposure: String = ""
    var exposureWhy: String = ""
    func child(named name: String) -> Any? {
      switch name {
      case "exposure": return exposure.isEmpty ? HTMLView.absent : exposure
      case "exposureWhy": return exposureWhy
      case "bind": return bind
      case "port": return port
      case "portSort": return portSort
      case "process": return process
      case "user": return user
      case "reach": return reach
      case "reachRank": return reachRank
      case "detail": return detail
      default: return nil
      }
    }
  }

  /// The changes since the previous scan, one row per change.
  struct Changes: MustacheParent {
    var old: String
    var new: String
    var rows: [ChangeRow]
    func child(named name: String) -> Any? {
      switch name {
      case "changesOld": return old
      case "changesNew": return new
      case "changeRows": return rows
      case "hasChangeRows": return rows.isEmpty ? HTMLView.absent : true
      case "noChangeRows": return rows.isEmpty ? true : HTMLView.absent
      default: return nil
      }
    }
  }

  struct ChangeRow: MustacheParent {
    var kind: String
    var host: String
    var listener: String
    var detail: String
    func child(named name: String) -> Any? {
      switch name {
      case "changeKind": return kind
      case "changeHost": return host
      case "changeListener": return listener
      case "changeDetail": return detail
      default: return nil
      }
    }
  }

  struct StateSegment: MustacheParent {
    var state: String
    var css: String
    var count: Int
    var percent: String
    func child(named name: String) -> Any? {
      switch name {
      case "state": return state
      case "css": return css
      case "count": return count
      case "percent": return percent
      default: return nil
      }
    }
  }

  struct Provenance: MustacheParent {
    var method: String
    var attribution: String
    var root: String
    var kernelTables: String
    var tools: [KeyValue]
    var sections: [Section]
    var problems: [String]
    /// The packet filter in a few words: `read (12 rules; docker)` or why it is unknown.
    var firewall: String = ""
    func child(named name: String) -> Any? {
      switch name {
      case "method": return method
      case "attribution": return attribution
      case "root": return root
      case "kernelTables": return kernelTables
      case "firewall": return firewall.isEmpty ? HTMLView.absent : firewall
      case "tools": return tools
      case "hasTools": return !tools.isEmpty
      case "sections": return sections
      case "hasSections": return !sections.isEmpty
      case "problems": return problems
      case "hasProblems": return !problems.isEmpty
      default: return nil
      }
    }
  }

  struct KeyValue: MustacheParent {
    var key: String
    var value: String
    func child(named name: String) -> Any? {
      switch name {
      case "key": return key
      case "value": return value
      default: return nil
      }
    }
  }

  struct Section: MustacheParent {
    var name: String
    var note: String
    var examples: [String]
    func child(named name: String) -> Any? {
      switch name {
      case "name": return self.name
      case "note": return note
      case "examples": return examples
      default: return nil
      }
    }
  }

  struct FindingLink: MustacheParent {
    var anchor: String
    var severity: String
    var title: String
    var socket: String
    func child(named name: String) -> Any? {
      switch name {
      case "anchor": return anchor
      case "severity": return severity
      case "title": return title
      case "socket": return socket
      default: return nil
      }
    }
  }

  struct FailedHost: MustacheParent {
    var name: String
    var address: String
    var status: String
    var code: String
    var message: String
    func child(named name: String) -> Any? {
      switch name {
      case "name": return self.name
      case "address": return address
      case "status": return status
      case "code": return code
      case "message": return message
      default: return nil
      }
    }
  }
}
