"""relocsim: an agent-based model of the South–North relocation programme of Kazakhstan."""

__version__ = "0.1.0"
