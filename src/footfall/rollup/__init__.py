"""Roll raw inputs up into resolved local hours, incrementally, with revision stamps."""
