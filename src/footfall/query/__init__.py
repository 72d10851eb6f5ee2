"""Read side: counts per level and interval, and the changes feed."""
