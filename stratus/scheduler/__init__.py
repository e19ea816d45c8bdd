"""The scheduler role: filters, weighers and race-free claims."""
