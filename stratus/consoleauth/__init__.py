"""The consoleauth role (Nova's nova-consoleauth): console tokens."""
