"""``gcnmon demo``: real packets replayed over VTP on loopback, a TCS simulator, the monitor wired to both."""

from .feed import DemoFeed
from .session import TELESCOPES, DemoSession, Telescope, demo_config, start_demo
from .story import STORY, Move, Step, load_story, move_position, prepare_round, rename, up_position

__all__ = ["DemoFeed", "DemoSession", "Telescope", "TELESCOPES", "demo_config", "start_demo", "STORY", "Move",
           "Step", "load_story", "move_position", "prepare_round", "rename", "up_position"]
