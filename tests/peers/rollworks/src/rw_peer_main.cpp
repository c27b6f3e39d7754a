// rollworks-peer: runs the local RollWorks peer as a standalone process (see peer_main.h).
#include "chpeer/peer_main.h"
#include "chpeer/rollworks/rw_peer.h"

int main(int argc, char** argv) {
  return chpeer::RunPeerMain<chpeer::rollworks::RollWorksPeer,
                             chpeer::rollworks::RollWorksPeerOptions>("rollworks-peer", argc, argv);
}
