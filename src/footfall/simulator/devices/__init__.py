"""The device side of every channel a simulated counter speaks, over the real protocols on loopback."""
