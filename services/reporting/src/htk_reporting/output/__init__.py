"""What leaves as files: CSV/XLSX exports, the yearly report (HTML/PDF), column headers."""
