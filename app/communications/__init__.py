"""The communication log of a case (沟通记录): staff's calls, visits and messages."""
