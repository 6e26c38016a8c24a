//! host-demo: LabelGate's policy module embedded through wasmtime (to come; see README).

fn main() {
    println!("host-demo: the wasmtime host is not built yet; see the README");
}
