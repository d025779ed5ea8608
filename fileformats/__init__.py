"""File formats: reading CSV, XLSX and iCalendar files, writing spreadsheets and calendars.

Plain functions from bytes and paths to rows and back; nothing here touches the database.
"""
