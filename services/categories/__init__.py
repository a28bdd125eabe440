"""Grievance categories as configuration: add, edit, retire, CSV and DIGIT ServiceDefs import."""
