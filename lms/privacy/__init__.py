"""Data rights (AVG): export everything a person wrote, erase a person, flag for retention."""
