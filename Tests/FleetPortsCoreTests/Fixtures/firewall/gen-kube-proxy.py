#!/usr/bin/env python3
"""Writes a kube-proxy-like (iptables mode, Kubernetes 1.28 layout) ruleset as iptables-restore input.

Usage: gen-kube-proxy.py [RULES]   (default 20000; deterministic: the same RULES gives the same bytes)

Layout as kube-proxy's proxier.go writes it: filter INPUT -> KUBE-PROXY-FIREWALL, KUBE-NODEPORTS,
KUBE-EXTERNAL-SERVICES, KUBE-FIREWALL; filter KUBE-SERVICES REJECTs cluster IPs without endpoints;
nat PREROUTING -> KUBE-SERVICES (one rule per service port: -d clusterIP/32 --dport -> KUBE-SVC-*),
ending with the addrtype LOCAL jump to KUBE-NODEPORTS (every 4th service has a NodePort 30000+ ->
KUBE-EXT-* -> KUBE-SVC-*); KUBE-SVC-* picks an endpoint with -m statistic and jumps to KUBE-SEP-*,
which DNATs to the pod (10.244.x.y:8080). Node hardening beside it (not kube-proxy's): filter INPUT
accepts 22 from anywhere, 10250 from 10.0.0.0/8, the NodePort range 30000-32767, and drops the rest.
Chain names are KUBE-SVC-/KUBE-SEP- + 16 base32 characters of a SHA-256, as kube-proxy names them.
The output is in iptables-save's own spelling, so `iptables-restore` then `iptables-save` gives it back
(capture.sh checks that on a 2,000-rule instance).
"""
import base64
import hashlib
import sys

rules_wanted = int(sys.argv[1]) if len(sys.argv) > 1 else 20000


def chain_name(prefix, text):
    digest = hashlib.sha256(text.encode()).digest()
    return prefix + base64.b32encode(digest).decode()[:16]


nat_chains, nat_rules, filter_rules = [], [], []
filter_chains = ["KUBE-EXTERNAL-SERVICES", "KUBE-FIREWALL", "KUBE-FORWARD", "KUBE-NODEPORTS",
                 "KUBE-PROXY-CANARY", "KUBE-PROXY-FIREWALL", "KUBE-SERVICES"]
filter_rules += [
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A INPUT -m comment --comment "kubernetes health check service ports" -j KUBE-NODEPORTS',
    '-A INPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A INPUT -j KUBE-FIREWALL',
    '-A INPUT -i lo -j ACCEPT',
    '-A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 22 -j ACCEPT',
    '-A INPUT -s 10.0.0.0/8 -p tcp -m tcp --dport 10250 -j ACCEPT',
    '-A INPUT -p tcp -m tcp --dport 30000:32767 -j ACCEPT',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A FORWARD -m conntrack --ctstate NEW -m comment --comment "kubernetes externally-visible service portals" -j KUBE-EXTERNAL-SERVICES',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes load balancer firewall" -j KUBE-PROXY-FIREWALL',
    '-A OUTPUT -m conntrack --ctstate NEW -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -j KUBE-FIREWALL',
    '-A KUBE-FIREWALL ! -s 127.0.0.0/8 -d 127.0.0.0/8 -m comment --comment "block incoming localnet connections" -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
    '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT',
    '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
]
nat_fixed = [
    '-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
    '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    '-A KUBE-MARK-MASQ -j MARK --set-xmark 0x4000/0x4000',
    '-A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN',
    '-A KUBE-POSTROUTING -j MARK --set-xmark 0x4000/0x0',
    '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
]
services, nodeports, chains = [], [], []
count = len(filter_rules) + len(nat_fixed) + 1
index = 0
while count < rules_wanted and index < 1_000_000:
    ns, name = f"ns{index % 40}", f"svc{index}"
    cluster_ip = f"10.96.{index // 250 % 256}.{index % 250 + 1}"
    port = (80, 443, 8080, 53)[index % 4]
    svc_port = f"{ns}/{name}:p{port}"
    svc = chain_name("KUBE-SVC-", svc_port + "tcp")
    endpoints = index % 5  # 0 to 4 endpoints; 0: filter KUBE-SERVICES rejects the cluster IP
    if endpoints == 0:
        filter_rules.append(f'-A KUBE-SERVICES -d {cluster_ip}/32 -p tcp -m comment --comment "{svc_port} has no endpoints" -m tcp --dport {port} -j REJECT --reject-with icmp-port-unreachable')
        count += 1
        index += 1
        continue
    chains.append(svc)
    services.append(f'-A KUBE-SERVICES -d {cluster_ip}/32 -p tcp -m comment --comment "{svc_port} cluster IP" -m tcp --dport {port} -j {svc}')
    count += 1
    body = [f'-A {svc} ! -s 10.244.0.0/16 -d {cluster_ip}/32 -p tcp -m comment --comment "{svc_port} cluster IP" -m tcp --dport {port} -j KUBE-MARK-MASQ']
    if index % 4 == 1:
        node_port = 30000 + index % 2767
        ext = chain_name("KUBE-EXT-", svc_port + "tcp")
        chains.append(ext)
        nodeports.append(f'-A KUBE-NODEPORTS -p tcp -m comment --comment "{svc_port}" -m tcp --dport {node_port} -j {ext}')
        body_ext = [f'-A {ext} -m comment --comment "masquerade traffic for {svc_port} external destinations" -j KUBE-MARK-MASQ', f'-A {ext} -j {svc}']
        nat_rules.extend(body_ext)
        count += 3
    for e in range(endpoints):
        pod = f"10.244.{(index * 7 + e) // 250 % 256}.{(index * 7 + e) % 250 + 2}"
        sep = chain_name("KUBE-SEP-", svc_port + pod)
        chains.append(sep)
        remaining = endpoints - e
        # the kernel keeps the probability as round(2^31 * p) (libxt_statistic.c); iptables-save prints that back
        probability = round(0x80000000 / remaining) / 0x80000000
        statistic = "" if remaining == 1 else f" -m statistic --mode random --probability {probability:.11f}"
        body.append(f'-A {svc} -m comment --comment "{svc_port} -> {pod}:8080"{statistic} -j {sep}')
        nat_rules.append(f'-A {sep} -s {pod}/32 -m comment --comment "{svc_port}" -j KUBE-MARK-MASQ')
        nat_rules.append(f'-A {sep} -p tcp -m comment --comment "{svc_port}" -m tcp -j DNAT --to-destination {pod}:8080')
        count += 3
    nat_rules.extend(body)
    count += 1
    index += 1

out = ["*filter", ":INPUT DROP [0:0]", ":FORWARD ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"]
out += [f":{c} - [0:0]" for c in filter_chains]
out += filter_rules + ["COMMIT", "*nat", ":PREROUTING ACCEPT [0:0]", ":INPUT ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]", ":POSTROUTING ACCEPT [0:0]"]
out += [f":{c} - [0:0]" for c in sorted(["KUBE-MARK-MASQ", "KUBE-NODEPORTS", "KUBE-POSTROUTING", "KUBE-SERVICES"] + chains)]
out += nat_fixed + nodeports + services
out.append('-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS')
out += nat_rules + ["COMMIT"]
sys.stdout.write("\n".join(out) + "\n")
