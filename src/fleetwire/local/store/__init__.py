"""The SQLite store of the local fleet server and what runs on its thread.

The store thread and its connection (``database``); ids, timestamps, page tokens and input checks (``ids``,
``paging``); config documents and their paths (``configs``, ``config_paths``), large JSON documents handled in
plain Python (``documents``); tables and row -> message conversions (``robot_rows``,
``location_rows``, ``registry_rows``); and the bounded memos of encoded answers (``memo``, ``robot_lists``).
"""
