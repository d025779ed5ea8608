"""What the bot reports about itself: Prometheus metrics (`observability.metrics`)."""
