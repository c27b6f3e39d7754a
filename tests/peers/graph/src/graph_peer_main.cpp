// graph-peer: runs the local Microsoft Graph peer as a standalone process (see peer_main.h).
#include "chpeer/graph/graph_peer.h"
#include "chpeer/peer_main.h"

int main(int argc, char** argv) {
  return chpeer::RunPeerMain<chpeer::graph::GraphPeer, chpeer::graph::GraphPeerOptions>(
      "graph-peer", argc, argv);
}
