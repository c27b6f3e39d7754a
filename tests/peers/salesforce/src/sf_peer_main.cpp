// sf-peer: runs the local Salesforce peer as a standalone process (see peer_main.h).
#include "chpeer/peer_main.h"
#include "chpeer/salesforce/sf_peer.h"

int main(int argc, char** argv) {
  return chpeer::RunPeerMain<chpeer::sf::SalesforcePeer, chpeer::sf::SalesforcePeerOptions>(
      "sf-peer", argc, argv);
}
