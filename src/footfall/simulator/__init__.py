"""A seeded fleet of simulated door counters: the traffic model, ground truth and devices."""
