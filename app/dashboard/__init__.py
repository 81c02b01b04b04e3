"""The supervisor's dashboard: the organ's worklist figures."""
