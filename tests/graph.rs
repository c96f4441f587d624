//! `vpcsim graph`: DOT and Mermaid pictures of the bundled scenarios, pinned as reviewed
//! snapshots, and the exposure colouring they carry (public, outbound-only, isolated, blackhole).

use std::process::Command;

fn settings() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.set_snapshot_path("../snapshots");
    s.set_prepend_module_to_snapshot(false);
    s
}

fn graph(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vpcsim"))
        .arg("graph")
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the vpcsim binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn example_as_mermaid() {
    let (code, text, err) = graph(&[
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "--format",
        "mermaid",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(text.starts_with("flowchart LR\n"));
    assert!(text.contains(":::public"), "{text}");
    assert!(text.contains(":::outbound_only"), "{text}");
    // The private subnet uses the main table: a dashed edge.
    assert!(text.contains("subnet_0a000002 -.-> rtb_0a000002"), "{text}");
    settings().bind(|| insta::assert_snapshot!("graph_example_mermaid", text));
}

#[test]
fn blackholes_are_red_in_dot() {
    let (code, text, err) = graph(&[
        "--snapshot",
        "scenarios/blackhole-deleted-nat-detached-igw/topology.toml",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(text.starts_with("digraph vpcsim {"));
    assert_eq!(
        text.matches('{').count(),
        text.matches('}').count(),
        "balanced braces"
    );
    assert!(
        text.contains("[label=\"0.0.0.0/0\", color=\"#d00000\", style=dashed"),
        "a blackhole route is a red dashed edge: {text}"
    );
    assert!(
        text.contains("penwidth=3"),
        "a blackholed subnet has a red border: {text}"
    );
    settings().bind(|| insta::assert_snapshot!("graph_blackhole_dot", text));
}

#[test]
fn the_picture_at_a_time_of_the_trail() {
    // At 10:00 mallory's route made the private subnet public; at the end it is not.
    let args = [
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "scenarios/example-topology/trail.json",
        "--format",
        "mermaid",
    ];
    let (code, text, _) = graph(&[&args[..], &["--at", "2026-03-02T10:00:00Z"]].concat());
    assert_eq!(code, 0);
    assert!(
        text.contains("subnet-0a000002<br/>10.0.2.0/24 2001:db8:1200:2::/64<br/>public"),
        "{text}"
    );
    let (_, text, _) = graph(&args);
    assert!(
        text.contains("subnet-0a000002<br/>10.0.2.0/24 2001:db8:1200:2::/64<br/>outbound-only"),
        "{text}"
    );
    let (code, _, err) = graph(&[
        "--snapshot",
        "scenarios/example-topology/topology.toml",
        "--at",
        "2026-03-02T10:00:00Z",
    ]);
    assert_eq!(code, 2);
    assert!(err.contains("--at needs EVENTS"), "{err}");
}

/// A gateway route table (ingress routing, semantics doc §3.6) shows as a thick blue `ingress`
/// edge from the internet gateway to its edge-associated table, in both formats.
#[test]
fn ingress_routing_is_drawn_from_the_gateway_to_its_edge_table() {
    let snapshot = "scenarios/gateway-route-table-firewall/topology.toml";
    let (code, dot, err) = graph(&["--snapshot", snapshot]);
    assert_eq!(code, 0, "{err}");
    assert!(
        dot.contains(
            "\"igw-0e000001\" -> \"rtb-0e0000ed\" [label=\"ingress\", color=\"#1f5fbf\", penwidth=2"
        ),
        "{dot}"
    );
    // Only the edge association is drawn so: the ordinary route to the gateway is not.
    assert_eq!(dot.matches("label=\"ingress\"").count(), 1, "{dot}");
    let (code, mermaid, err) = graph(&["--snapshot", snapshot, "--format", "mermaid"]);
    assert_eq!(code, 0, "{err}");
    let edge = "  igw_0e000001 ==>|\"ingress\"| rtb_0e0000ed";
    assert!(mermaid.contains(edge), "{mermaid}");
    // The blue link style names that edge's position among the links.
    let links: Vec<&str> = mermaid
        .lines()
        .filter(|l| l.contains("-->") || l.contains("-.->") || l.contains("==>"))
        .collect();
    let at = links
        .iter()
        .position(|l| *l == edge)
        .expect("the ingress edge is a link");
    assert!(
        mermaid.contains(&format!("  linkStyle {at} stroke:#1f5fbf")),
        "{mermaid}"
    );
    settings().bind(|| insta::assert_snapshot!("graph_ingress_mermaid", mermaid));
}
