"""Messaging use cases, split by noun.

- channels: the seam every channel's sender implements (SendResult, SendError, Sender)
- segments: how many SMS segments a text takes (GSM-7 or UCS-2), counted before sending
- sms: the SMS sender, an HTTP gateway configured by CLIENTELA_SMS_* settings
- callbacks: the signature of the gateway's callbacks (Standard Webhooks), replays refused
- receipts: delivery receipts moving a sent SMS to delivered or failed, once
- inbound: inbound SMS: STOP keywords withdraw SMS consent, other texts go on the timeline
"""
