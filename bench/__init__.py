"""The benchmark suite: `python -m bench [--quick] [NAME ...]` (`make bench` runs all of it).

Every measurement runs against real servers (the machine's PostgreSQL and Redis where they answer
on their standard ports, embedded ones otherwise), in its own fresh database, Redis key prefix and
embedded broker, and removes them afterwards.
"""
