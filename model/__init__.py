"""zonesim: carbon and industrial transition in China's demonstration zones."""

__version__ = "0.1.0"
