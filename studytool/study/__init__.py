"""Study sessions: queues and review logic over the store (pure, no UI)."""
