"""Renderer logic shared by chat-template plugins whose official formats the ChatTemplate data fields cannot express."""
