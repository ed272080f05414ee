"""nn: neural-network building blocks made only of autograd_lite Values."""
