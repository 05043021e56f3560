"""Alerts: anomalies and webhooks become alerts routed to the on-duty shift leader, escalated, notified, handed over."""
