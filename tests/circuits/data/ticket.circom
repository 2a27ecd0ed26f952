// The ticketing statement of circuits/ticket.py written with circomlib 2.0.5, for comparison
// (tests/circuits/test_ticket.py::test_same_statement_in_circom compiles it with circom2).
pragma circom 2.0.0;
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/bitify.circom";

template Ticket(depth) {
    signal input root;
    signal input event_id;
    signal input scope;
    signal input nullifier;
    signal input now;
    signal input tier;
    signal input token_binding;
    signal input holder_secret;
    signal input ticket_salt;
    signal input not_before;
    signal input not_after;
    signal input path[depth];
    signal input bits[depth];

    component holder = Poseidon(1);
    holder.inputs[0] <== holder_secret;
    component leaf = Poseidon(6);
    leaf.inputs[0] <== holder.out;
    leaf.inputs[1] <== ticket_salt;
    leaf.inputs[2] <== event_id;
    leaf.inputs[3] <== tier;
    leaf.inputs[4] <== not_before;
    leaf.inputs[5] <== not_after;

    component hashers[depth];
    signal node[depth + 1];
    signal swap[depth];
    node[0] <== leaf.out;
    for (var i = 0; i < depth; i++) {
        bits[i] * (bits[i] - 1) === 0;
        swap[i] <== bits[i] * (path[i] - node[i]);
        hashers[i] = Poseidon(2);
        hashers[i].inputs[0] <== node[i] + swap[i];
        hashers[i].inputs[1] <== path[i] - swap[i];
        node[i + 1] <== hashers[i].out;
    }
    root === node[depth];

    component nul = Poseidon(3);
    nul.inputs[0] <== holder_secret;
    nul.inputs[1] <== ticket_salt;
    nul.inputs[2] <== scope;
    nullifier === nul.out;

    component rc[3];
    rc[0] = Num2Bits(64); rc[0].in <== not_before;
    rc[1] = Num2Bits(64); rc[1].in <== now;
    rc[2] = Num2Bits(64); rc[2].in <== not_after;
    component le1 = LessEqThan(64);
    le1.in[0] <== not_before; le1.in[1] <== now; le1.out === 1;
    component le2 = LessEqThan(64);
    le2.in[0] <== now; le2.in[1] <== not_after; le2.out === 1;

    signal tokenSquare;
    tokenSquare <== token_binding * token_binding;
}
