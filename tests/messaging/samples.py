"""Returned mail in the shapes MTAs and mailbox providers send, all written for these tests.

Each builder writes one shape literally (headers, MIME structure, the sentences that MTA
uses); the table at the bottom fills them with different addresses, codes and tokens, and adds
one-off and malformed mails. `SAMPLES` is (name, raw mail, expected fields).
"""

from __future__ import annotations

from typing import Any

DOMAIN = "mail.shop.example"
DATE = "Mon, 7 Dec 2026 10:15:02 +0000"


def verp(token: str) -> str:
    return f"bounces+{token}@{DOMAIN}"


def headers_of_original(token: str, to: str, *, message_id: str = "") -> str:
    mid = message_id or f"<{token}@{DOMAIN}>"
    return (
        f"Return-Path: <{verp(token)}>\n"
        f"Received: from {DOMAIN} (localhost [127.0.0.1])\n\tby {DOMAIN} (Postfix) with ESMTP\n"
        f"From: Shop <news@shop.example>\nTo: {to}\nSubject: Our December offers\n"
        f"Date: Mon, 7 Dec 2026 09:00:00 +0000\nMessage-ID: {mid}\nMIME-Version: 1.0\n"
    )


def postfix(token: str, to: str, *, action: str, status: str, diag: str, orig_rcpt: bool) -> str:
    human = {
        "failed": "I'm sorry to have to inform you that your message could not\n"
        "be delivered to one or more recipients. It's attached below.",
        "delayed": "####################################################################\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
        "####################################################################\n\n"
        "Your message could not be delivered for more than 4 hour(s).\n"
        "It will be retried until it is 5 day(s) old.",
        "delivered": "Your message was successfully delivered to the destination(s)\nlisted below.",
    }[action]
    subject = {
        "failed": "Undelivered Mail Returned to Sender",
        "delayed": "Delayed Mail (still being retried)",
        "delivered": "Successful Mail Delivery Report",
    }[action]
    orig = f"Original-Recipient: rfc822;{to}\n" if orig_rcpt else ""
    diag_line = f"Diagnostic-Code: smtp; {diag}\n" if diag else ""
    return f"""Return-Path: <>
Delivered-To: {verp(token)}
Received: by {DOMAIN} (Postfix)
\tid 4ZxY1234; Mon,  7 Dec 2026 10:15:02 +0000 (UTC)
Date: {DATE}
From: MAILER-DAEMON@{DOMAIN} (Mail Delivery System)
Subject: {subject}
To: {verp(token)}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="4ZxY1234.1765102502/{DOMAIN}"
Content-Transfer-Encoding: 8bit
Message-Id: <20261207101502.4ZxY1234@{DOMAIN}>

This is a MIME-encapsulated message.

--4ZxY1234.1765102502/{DOMAIN}
Content-Description: Notification
Content-Type: text/plain; charset=us-ascii

This is the mail system at host {DOMAIN}.

{human}

For further assistance, please send mail to postmaster.

                   The mail system

<{to}>: host mx.example.net[192.0.2.25] said: {diag}

--4ZxY1234.1765102502/{DOMAIN}
Content-Description: Delivery report
Content-Type: message/delivery-status

Reporting-MTA: dns; {DOMAIN}
X-Postfix-Queue-ID: 4ZxY1234
X-Postfix-Sender: rfc822; {verp(token)}
Arrival-Date: Mon,  7 Dec 2026 09:00:01 +0000 (UTC)

Final-Recipient: rfc822; {to}
{orig}Action: {action}
Status: {status}
Remote-MTA: dns; mx.example.net
{diag_line}
--4ZxY1234.1765102502/{DOMAIN}
Content-Description: Undelivered Message Headers
Content-Type: text/rfc822-headers

{headers_of_original(token, to)}
--4ZxY1234.1765102502/{DOMAIN}--
"""


def exim_dsn(token: str, to: str, *, status: str, diag: str) -> str:
    return f"""Return-path: <>
Envelope-to: {verp(token)}
Delivery-date: {DATE}
From: Mail Delivery System <Mailer-Daemon@relay.example.org>
To: {verp(token)}
Subject: Mail delivery failed: returning message to sender
Date: {DATE}
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary=1765102502-eximdsn-1804289383

--1765102502-eximdsn-1804289383
Content-type: text/plain; charset=us-ascii

This message was created automatically by mail delivery software.

A message that you sent could not be delivered to one or more of its
recipients. This is a permanent error. The following address(es) failed:

  {to}
    host mx.example.net [198.51.100.7]
    SMTP error from remote mail server after RCPT TO:<{to}>:
    {diag}

--1765102502-eximdsn-1804289383
Content-type: message/delivery-status

Reporting-MTA: dns; relay.example.org

Action: failed
Final-Recipient: rfc822;{to}
Status: {status}
Remote-MTA: dns; mx.example.net
Diagnostic-Code: smtp; {diag}

--1765102502-eximdsn-1804289383
Content-type: message/rfc822

{headers_of_original(token, to)}
Hello,

Here are our offers.

--1765102502-eximdsn-1804289383--
"""


def exim_plain(token: str, to: str, *, delayed: bool, diag: str) -> str:
    if delayed:
        subject = "Warning: message 1kZ9xY-0004Ab-Cd delayed 24 hours"
        text = (
            "This message was created automatically by mail delivery software.\n"
            "A message that you sent has not yet been delivered to one or more of its\n"
            "recipients after more than 24 hours on the queue on relay.example.org.\n\n"
            f"The message identifier is:     1kZ9xY-0004Ab-Cd\n\n"
            f"The address to which the message has not yet been delivered is:\n\n  {to}\n"
            f"    Delay reason: SMTP error from remote mail server after RCPT TO:<{to}>:\n"
            f"    {diag}\n\nNo action is required on your part. Delivery attempts will\n"
            "continue for some time, and this warning may be repeated at intervals\n"
            "if the message remains undelivered. Eventually the mail delivery software\n"
            "will give up, and when that happens, the message will be returned to you.\n"
        )
    else:
        subject = "Mail delivery failed: returning message to sender"
        text = (
            "This message was created automatically by mail delivery software.\n\n"
            "A message that you sent could not be delivered to one or more of its\n"
            "recipients. This is a permanent error. The following address(es) failed:\n\n"
            f"  {to}\n    SMTP error from remote mail server after RCPT TO:<{to}>:\n"
            f"    host mx.example.net [198.51.100.7]: {diag}\n"
        )
    return f"""Return-path: <>
Envelope-to: {verp(token)}
From: Mail Delivery System <Mailer-Daemon@old.example.org>
To: {verp(token)}
Subject: {subject}
Date: {DATE}
Message-Id: <E1kZ9xY-0004Ab-Ce@old.example.org>

{text}
------ This is a copy of the message, including all the headers. ------

{headers_of_original(token, to)}
Hello,
"""


def sendmail_dsn(token: str, to: str, *, status: str, diag: str) -> str:
    return f"""Return-Path: <MAILER-DAEMON>
From: Mail Delivery Subsystem <MAILER-DAEMON@smtp.example.com>
To: <{verp(token)}>
Subject: Returned mail: see transcript for details
Date: {DATE}
Auto-Submitted: auto-generated (failure)
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="7B9AF1234.1765102502/smtp.example.com"

This is a MIME-encapsulated message

--7B9AF1234.1765102502/smtp.example.com

The original message was received at Mon, 7 Dec 2026 09:00:01 GMT
from localhost [127.0.0.1]

   ----- The following addresses had permanent fatal errors -----
<{to}>
    (reason: {diag})

   ----- Transcript of session follows -----
... while talking to mx.example.com.:
>>> RCPT To:<{to}>
<<< {diag}

--7B9AF1234.1765102502/smtp.example.com
Content-Type: message/delivery-status

Reporting-MTA: dns; smtp.example.com
Received-From-MTA: DNS; localhost
Arrival-Date: Mon, 7 Dec 2026 09:00:01 GMT

Final-Recipient: RFC822; {to}
Action: failed
Status: {status}
Remote-MTA: DNS; mx.example.com
Diagnostic-Code: SMTP; {diag}
Last-Attempt-Date: Mon, 7 Dec 2026 10:15:00 GMT

--7B9AF1234.1765102502/smtp.example.com
Content-Type: message/rfc822

{headers_of_original(token, to)}
Hello,

--7B9AF1234.1765102502/smtp.example.com--
"""


def sendmail_plain(token: str, to: str, *, warning: bool) -> str:
    if warning:
        subject = "Warning: could not send message for past 4 hours"
        text = (
            "    **********************************************\n"
            "    **      THIS IS A WARNING MESSAGE ONLY      **\n"
            "    **  YOU DO NOT NEED TO RESEND YOUR MESSAGE  **\n"
            "    **********************************************\n\n"
            "The original message was received at Mon, 7 Dec 2026 06:00:00 GMT\n\n"
            "   ----- Transcript of session follows -----\n"
            f"<{to}>... Deferred: Connection timed out with mx.example.com.\n"
            "Warning: message still undelivered after 4 hours\n"
            "Will keep trying until message is 5 days old\n"
        )
    else:
        subject = "Returned mail: User unknown"
        text = (
            "The original message was received at Mon, 7 Dec 2026 09:00:01 GMT\n\n"
            "   ----- The following addresses had permanent fatal errors -----\n"
            f"<{to}>\n\n   ----- Transcript of session follows -----\n"
            f"... while talking to mx.example.com.:\n>>> RCPT To:<{to}>\n"
            "<<< 550 User unknown\n550 5.1.1 " + f"<{to}>... User unknown\n"
        )
    return f"""From: Mail Delivery Subsystem <MAILER-DAEMON@legacy.example.com>
To: {verp(token)}
Subject: {subject}
Date: {DATE}

{text}
   ----- Original message follows -----
{headers_of_original(token, to)}
"""


def exchange_dsn(token: str, to: str, *, status: str, diag: str) -> str:
    return f"""From: postmaster@contoso.example
To: <{verp(token)}>
Date: {DATE}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status;
\tboundary="a1b2c3d4-e5f6-7890-abcd-ef1234567890"
X-MS-Exchange-Message-Is-Ndr:
Content-Language: en-US
Message-ID: <a1b2c3d4.ndr@contoso.example>
In-Reply-To: <{token}@{DOMAIN}>
References: <{token}@{DOMAIN}>
Subject: Undeliverable: Our December offers
Auto-Submitted: auto-replied

--a1b2c3d4-e5f6-7890-abcd-ef1234567890
Content-Type: multipart/alternative; differences=Content-Type;
\tboundary="b2c3d4e5-f6a7-8901-bcde-f12345678901"

--b2c3d4e5-f6a7-8901-bcde-f12345678901
Content-Type: text/plain; charset="us-ascii"

Delivery has failed to these recipients or groups:

{to}
The email address you entered couldn't be found. Please check the recipient's
email address and try to resend the message.

Diagnostic information for administrators:

Generating server: MBX01.contoso.example

{to}
Remote Server returned '{diag}'

--b2c3d4e5-f6a7-8901-bcde-f12345678901--

--a1b2c3d4-e5f6-7890-abcd-ef1234567890
Content-Type: message/delivery-status

Reporting-MTA: dns;MBX01.contoso.example
Received-From-MTA: dns;EDGE01.contoso.example
Arrival-Date: Mon, 7 Dec 2026 09:00:05 +0000

Original-Recipient: rfc822;{to}
Final-Recipient: rfc822;{to}
Action: failed
Status: {status}
Diagnostic-Code: smtp;{diag}

--a1b2c3d4-e5f6-7890-abcd-ef1234567890
Content-Type: text/rfc822-headers

{headers_of_original(token, to)}
--a1b2c3d4-e5f6-7890-abcd-ef1234567890--
"""


def exchange_plain(token: str, to: str, *, diag: str) -> str:
    exchange = "MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@fabrikam.example"
    return f"""From: Microsoft Outlook <{exchange}>
To: <{verp(token)}>
Subject: Undeliverable: Our December offers
Date: {DATE}
Content-Type: text/plain; charset="utf-8"

Your message to {to} couldn't be delivered.
{to.split("@")[0]} wasn't found at {to.split("@")[1]}.

Diagnostic information for administrators:
Generating server: FAB01.fabrikam.example
{to}
Remote Server returned '{diag}'

Original message headers:
{headers_of_original(token, to)}
"""


def gmail(token: str, to: str, *, action: str, status: str, diag: str) -> str:
    word = "Failure" if action == "failed" else "Delay"
    human = (
        "Your message wasn't delivered to " + to + " because the address couldn't be found."
        if action == "failed"
        else "There was a temporary problem delivering your message to "
        + to
        + ". Gmail will retry for 46 more hours. You'll be notified if the delivery fails "
        "permanently."
    )
    return f"""Delivered-To: {verp(token)}
Return-Path: <>
From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>
To: {verp(token)}
Auto-Submitted: auto-replied
Subject: Delivery Status Notification ({word})
References: <{token}@{DOMAIN}>
In-Reply-To: <{token}@{DOMAIN}>
X-Failed-Recipients: {to}
Date: {DATE}
MIME-Version: 1.0
Content-Type: multipart/report; boundary="000000000000e5f9a105e9b8c2d1"; report-type=delivery-status

--000000000000e5f9a105e9b8c2d1
Content-Type: text/plain; charset="UTF-8"

** Address not found **

{human}

The response from the remote server was:
{diag}

--000000000000e5f9a105e9b8c2d1
Content-Type: message/delivery-status

Reporting-MTA: dns; googlemail.com
Received-From-MTA: dns; {DOMAIN}
Arrival-Date: Mon, 07 Dec 2026 01:00:00 -0800 (PST)
X-Original-Message-ID: <{token}@{DOMAIN}>

Final-Recipient: rfc822; {to}
Action: {action}
Status: {status}
Remote-MTA: dns; gmail-smtp-in.l.google.com. (2001:db8::1b, the server for the domain gmail.com.)
Diagnostic-Code: smtp; {diag}
Last-Attempt-Date: Mon, 07 Dec 2026 02:15:02 -0800 (PST)

--000000000000e5f9a105e9b8c2d1
Content-Type: message/rfc822

{headers_of_original(token, to)}
Hello,

--000000000000e5f9a105e9b8c2d1--
"""


def arf(token: str, to: str, *, provider: str, feedback_type: str, rcpt_header: bool) -> str:
    rcpt = f"Original-Rcpt-To: {to}\n" if rcpt_header else ""
    if provider == "hotmail":
        sender, agent, ctype = "staff@hotmail.com", "Hotmail FBL", "message/rfc822"
        original = headers_of_original(token, "REDACTED") + "\nOffers!\n"
    else:
        sender, agent, ctype = (
            "feedback@arf.mail.yahoo.com",
            "Yahoo!-Mail-Feedback/2.0",
            ("text/rfc822-headers"),
        )
        original = headers_of_original(token, to)
    return f"""Return-Path: <{sender}>
From: <{sender}>
To: <fbl@shop.example>
Subject: complaint about message from 203.0.113.9
Date: {DATE}
MIME-Version: 1.0
Content-Type: multipart/report; report-type=feedback-report;
\tboundary="----=_Part_12345_67890"

------=_Part_12345_67890
Content-Type: text/plain; charset="US-ASCII"
Content-Transfer-Encoding: 7bit

This is an email abuse report for an email message received from IP 203.0.113.9 on
Mon, 7 Dec 2026 09:00:10 +0000.
For more information about this format please see http://www.mipassoc.org/arf/.

------=_Part_12345_67890
Content-Type: message/feedback-report

Feedback-Type: {feedback_type}
User-Agent: {agent}
Version: 1
Original-Mail-From: <{verp(token)}>
{rcpt}Arrival-Date: Mon, 7 Dec 2026 09:00:10 +0000
Source-IP: 203.0.113.9
Reported-Domain: shop.example

------=_Part_12345_67890
Content-Type: {ctype}
Content-Disposition: inline

{original}
------=_Part_12345_67890--
"""


def qmail(token: str, to: str, *, permanent: bool, diag: str) -> str:
    verdict = (
        "This is a permanent error; I've given up. Sorry it didn't work out."
        if permanent
        else "I'm not going to try again; this message has been in the queue too long."
    )
    return f"""Return-Path: <>
Delivered-To: {verp(token)}
Date: {DATE}
From: MAILER-DAEMON@qmail.example.net
To: {verp(token)}
Subject: failure notice

Hi. This is the qmail-send program at qmail.example.net.
I'm afraid I wasn't able to deliver your message to the following addresses.
{verdict}

<{to}>:
{diag}

--- Below this line is a copy of the message.

{headers_of_original(token, to)}
Hello,
"""


def ses_dsn(token: str, to: str, *, status: str, diag: str) -> str:
    return f"""Return-Path: <>
From: MAILER-DAEMON@amazonses.com
To: {verp(token)}
Subject: Delivery Status Notification (Failure)
Date: {DATE}
Message-ID: <0100018c3f2a-bounce@email.amazonses.com>
X-Original-To: {verp(token)}
MIME-Version: 1.0
Content-Type: multipart/report; boundary="----=_Part_9_SES"; report-type=delivery-status

------=_Part_9_SES
Content-Type: text/plain; charset=UTF-8

An error occurred while trying to deliver the mail to the following recipients:
{to}

------=_Part_9_SES
Content-Type: message/delivery-status

Reporting-MTA: dns; a8-30.smtp-out.amazonses.com

Action: failed
Final-Recipient: rfc822; {to}
Diagnostic-Code: smtp; {diag}
Status: {status}

------=_Part_9_SES
Content-Type: text/rfc822-headers

{headers_of_original(token, to)}
------=_Part_9_SES--
"""


def ses_json(token: str, to: str, *, kind: str, bounce_type: str = "", sub: str = "") -> str:
    diag = "550 5.1.1 user unknown" if bounce_type == "Permanent" else "timeout"
    if kind == "Bounce":
        detail = (
            f'"bounce":{{"bounceType":"{bounce_type}","bounceSubType":"{sub}",'
            f'"bouncedRecipients":[{{"emailAddress":"{to}","action":"failed",'
            f'"status":"{"5.1.1" if bounce_type == "Permanent" else "4.4.7"}",'
            f'"diagnosticCode":"smtp; {diag}"}}],'
            f'"timestamp":"2026-12-07T10:15:02.000Z","feedbackId":"0100018c-abcd"}}'
        )
    else:
        detail = (
            f'"complaint":{{"complainedRecipients":[{{"emailAddress":"{to}"}}],'
            f'"complaintFeedbackType":"abuse","timestamp":"2026-12-07T10:20:00.000Z"}}'
        )
    return f"""From: no-reply@sns.amazonaws.com
To: ops@shop.example
Subject: AWS Notification Message
Date: {DATE}
Content-Type: text/plain; charset=UTF-8

{{"notificationType":"{kind}",{detail},"mail":{{"timestamp":"2026-12-07T09:00:00.000Z","source":"{verp(token)}","messageId":"0100018c3f2a","destination":["{to}"],"headers":[{{"name":"Message-ID","value":"<{token}@{DOMAIN}>"}}]}}}}
"""


def vacation(token: str, sender: str, *, subject: str, body: str, header: str) -> str:
    return f"""Return-Path: <{sender}>
From: {sender}
To: {verp(token)}
Subject: {subject}
Date: {DATE}
{header}In-Reply-To: <{token}@{DOMAIN}>
References: <{token}@{DOMAIN}>
Content-Type: text/plain; charset=utf-8

{body}
"""


# --- the table -------------------------------------------------------------------------------

HARD, SOFT, COMPLAINT, DELAY = "hard", "soft", "complaint", "delay"
DELIVERED, AUTO, UNKNOWN = "delivered", "auto_reply", "unknown"


def t(n: int) -> str:
    return f"tok{n:04d}abcdef{n:02d}"


def expect(kind: str, recipient: str = "", status: str = "", token: str = "") -> dict[str, Any]:
    return {"kind": kind, "recipient": recipient, "status": status, "token": token}


def _build() -> list[tuple[str, str, dict[str, Any]]]:
    s: list[tuple[str, str, dict[str, Any]]] = []
    a = "ana.silva@example.pt"
    b = "bruno@example.com"
    c = "carla.rossi@example.it"
    d = "diego@example.es"

    def add(name: str, raw: str, expected: dict[str, Any]) -> None:
        s.append((name, raw, expected))

    add(
        "postfix hard 5.1.1",
        postfix(
            t(1),
            a,
            action="failed",
            status="5.1.1",
            diag="550 5.1.1 <ana.silva@example.pt>: Recipient address rejected: User unknown",
            orig_rcpt=True,
        ),
        expect(HARD, a, "5.1.1", t(1)),
    )
    add(
        "postfix bad domain 5.1.2",
        postfix(t(2), b, action="failed", status="5.1.2", diag="", orig_rcpt=False),
        expect(HARD, b, "5.1.2", t(2)),
    )
    add(
        "postfix gave up 4.4.1",
        postfix(
            t(3),
            c,
            action="failed",
            status="4.4.1",
            diag="connect to mx.example.net[192.0.2.25]:25: Connection timed out",
            orig_rcpt=False,
        ),
        expect(SOFT, c, "4.4.1", t(3)),
    )
    add(
        "postfix mailbox full 5.2.2",
        postfix(
            t(4), d, action="failed", status="5.2.2", diag="552 5.2.2 Mailbox full", orig_rcpt=False
        ),
        expect(SOFT, d, "5.2.2", t(4)),
    )
    add(
        "postfix delayed 4.4.1",
        postfix(
            t(5),
            a,
            action="delayed",
            status="4.4.1",
            diag="421 4.4.1 Try again later",
            orig_rcpt=False,
        ),
        expect(DELAY, a, "4.4.1", t(5)),
    )
    add(
        "postfix spam refused 5.7.1",
        postfix(
            t(6),
            b,
            action="failed",
            status="5.7.1",
            diag="554 5.7.1 Service unavailable; client host blocked using zen.spamhaus.org",
            orig_rcpt=False,
        ),
        expect(SOFT, b, "5.7.1", t(6)),
    )
    add(
        "postfix relay denied 5.7.1",
        postfix(
            t(7),
            c,
            action="failed",
            status="5.7.1",
            diag="554 5.7.1 <carla.rossi@example.it>: Relay access denied",
            orig_rcpt=False,
        ),
        expect(HARD, c, "5.7.1", t(7)),
    )
    add(
        "postfix unroutable 5.4.4",
        postfix(t(8), d, action="failed", status="5.4.4", diag="", orig_rcpt=False),
        expect(HARD, d, "5.4.4", t(8)),
    )
    add(
        "postfix success DSN",
        postfix(
            t(9),
            a,
            action="delivered",
            status="2.0.0",
            diag="250 2.0.0 Ok: queued as 9AB12",
            orig_rcpt=True,
        ),
        expect(DELIVERED, a, "2.0.0", t(9)),
    )
    add(
        "postfix disabled mailbox 5.2.1",
        postfix(
            t(10),
            b,
            action="failed",
            status="5.2.1",
            diag="550 5.2.1 The email account that you tried to reach is disabled",
            orig_rcpt=False,
        ),
        expect(HARD, b, "5.2.1", t(10)),
    )
    add(
        "postfix too big 5.3.4",
        postfix(
            t(11),
            c,
            action="failed",
            status="5.3.4",
            diag="552 5.3.4 Message size exceeds fixed limit",
            orig_rcpt=False,
        ),
        expect(SOFT, c, "5.3.4", t(11)),
    )
    add(
        "exim dsn hard",
        exim_dsn(t(12), d, status="5.0.0", diag="550 Unrouteable address"),
        expect(HARD, d, "5.0.0", t(12)),
    )
    add(
        "exim dsn no such user",
        exim_dsn(t(13), a, status="5.1.1", diag="550 5.1.1 No such user here"),
        expect(HARD, a, "5.1.1", t(13)),
    )
    add(
        "exim dsn quota",
        exim_dsn(
            t(14), b, status="5.2.2", diag="552 5.2.2 Quota exceeded (mailbox for user is full)"
        ),
        expect(SOFT, b, "5.2.2", t(14)),
    )
    add(
        "exim plain hard",
        exim_plain(
            t(15), c, delayed=False, diag="550 5.1.1 <carla.rossi@example.it> recipient rejected"
        ),
        expect(HARD, c, "5.1.1", t(15)),
    )
    add(
        "exim plain without status",
        exim_plain(t(16), d, delayed=False, diag="550 Unknown user"),
        expect(HARD, d, "", t(16)),
    )
    add(
        "exim plain delayed",
        exim_plain(t(17), a, delayed=True, diag="451 4.7.1 Greylisted, please try again later"),
        expect(DELAY, a, "4.7.1", t(17)),
    )
    add(
        "sendmail dsn hard",
        sendmail_dsn(
            t(18), b, status="5.1.1", diag="550 5.1.1 <bruno@example.com>... User unknown"
        ),
        expect(HARD, b, "5.1.1", t(18)),
    )
    add(
        "sendmail dsn deferred gave up",
        sendmail_dsn(t(19), c, status="4.4.7", diag="451 4.4.7 Message expired"),
        expect(SOFT, c, "4.4.7", t(19)),
    )
    add(
        "sendmail dsn host unknown",
        sendmail_dsn(
            t(20),
            d,
            status="5.1.2",
            diag="550 5.1.2 Host unknown (Name server: example.es: host not found)",
        ),
        expect(HARD, d, "5.1.2", t(20)),
    )
    add(
        "sendmail plain user unknown",
        sendmail_plain(t(21), a, warning=False),
        expect(HARD, a, "5.1.1", t(21)),
    )
    add(
        "sendmail plain warning",
        sendmail_plain(t(22), b, warning=True),
        expect(DELAY, b, "", t(22)),
    )
    add(
        "exchange dsn not found",
        exchange_dsn(
            t(23),
            c,
            status="5.1.10",
            diag="550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address "
            "lookup",
        ),
        expect(HARD, c, "5.1.10", t(23)),
    )
    add(
        "exchange dsn recip not found",
        exchange_dsn(
            t(24), d, status="5.1.1", diag="550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"
        ),
        expect(HARD, d, "5.1.1", t(24)),
    )
    add(
        "exchange dsn quota",
        exchange_dsn(
            t(25),
            a,
            status="5.2.2",
            diag="554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException",
        ),
        expect(SOFT, a, "5.2.2", t(25)),
    )
    add(
        "exchange dsn access denied",
        exchange_dsn(
            t(26),
            b,
            status="5.7.1",
            diag="550 5.7.1 RESOLVER.RST.AuthRequired; authentication required",
        ),
        expect(HARD, b, "5.7.1", t(26)),
    )
    add(
        "exchange dsn o365 banned sender",
        exchange_dsn(
            t(27),
            c,
            status="5.7.1",
            diag="550 5.7.1 Service unavailable, Client host [203.0.113.9] blocked using Spamhaus",
        ),
        expect(SOFT, c, "5.7.1", t(27)),
    )
    add(
        "exchange plain NDR",
        exchange_plain(t(28), d, diag="550 5.1.1 RESOLVER.ADR.RecipNotFound; not found"),
        expect(HARD, d, "5.1.1", t(28)),
    )
    add(
        "exchange plain NDR 5.4.1",
        exchange_plain(t(29), a, diag="550 5.4.1 Recipient address rejected: Access denied"),
        expect(HARD, a, "5.4.1", t(29)),
    )
    add(
        "gmail no such user",
        gmail(
            t(30),
            b,
            action="failed",
            status="5.1.1",
            diag="550-5.1.1 The email account that you tried to reach does not exist. 550 5.1.1 "
            "https://support.google.com/mail/?p=NoSuchUser",
        ),
        expect(HARD, b, "5.1.1", t(30)),
    )
    add(
        "gmail over quota",
        gmail(
            t(31),
            c,
            action="failed",
            status="4.2.2",
            diag="452-4.2.2 The recipient's inbox is out of storage space.",
        ),
        expect(SOFT, c, "4.2.2", t(31)),
    )
    add(
        "gmail delay",
        gmail(
            t(32),
            d,
            action="delayed",
            status="4.7.0",
            diag="421-4.7.0 Try again later, closing connection.",
        ),
        expect(DELAY, d, "4.7.0", t(32)),
    )
    add(
        "gmail rate limited 5.7.1 unsolicited",
        gmail(
            t(33),
            a,
            action="failed",
            status="5.7.1",
            diag="550-5.7.1 Our system has detected an unusual rate of "
            "unsolicited mail originating from your IP address. To protect our users from spam, "
            "mail sent from your IP address has been blocked.",
        ),
        expect(SOFT, a, "5.7.1", t(33)),
    )
    add(
        "gmail dmarc 5.7.26",
        gmail(
            t(34),
            b,
            action="failed",
            status="5.7.26",
            diag="550-5.7.26 This mail is unauthenticated, which poses a security risk to the "
            "sender and Gmail users, and has been blocked. DMARC policy",
        ),
        expect(SOFT, b, "5.7.26", t(34)),
    )
    add(
        "hotmail arf abuse",
        arf(t(35), c, provider="hotmail", feedback_type="abuse", rcpt_header=True),
        expect(COMPLAINT, c, "", t(35)),
    )
    add(
        "hotmail arf redacted recipient",
        arf(t(36), d, provider="hotmail", feedback_type="abuse", rcpt_header=False),
        expect(COMPLAINT, "", "", t(36)),
    )
    add(
        "yahoo arf abuse",
        arf(t(37), a, provider="yahoo", feedback_type="abuse", rcpt_header=False),
        expect(COMPLAINT, a, "", t(37)),
    )
    add(
        "yahoo arf with rcpt",
        arf(t(38), b, provider="yahoo", feedback_type="abuse", rcpt_header=True),
        expect(COMPLAINT, b, "", t(38)),
    )
    add(
        "arf fraud",
        arf(t(39), c, provider="yahoo", feedback_type="fraud", rcpt_header=True),
        expect(COMPLAINT, c, "", t(39)),
    )
    add(
        "arf not-spam is no complaint",
        arf(t(40), d, provider="yahoo", feedback_type="not-spam", rcpt_header=True),
        expect(UNKNOWN, d, "", t(40)),
    )
    add(
        "qmail permanent",
        qmail(
            t(41),
            a,
            permanent=True,
            diag="Remote host said: 550 5.1.1 <ana.silva@example.pt>... User unknown",
        ),
        expect(HARD, a, "5.1.1", t(41)),
    )
    add(
        "qmail no such mailbox",
        qmail(t(42), b, permanent=True, diag="Sorry, no mailbox here by that name. (#5.1.1)"),
        expect(HARD, b, "5.1.1", t(42)),
    )
    add(
        "qmail queue too long",
        qmail(
            t(43), c, permanent=False, diag="Connected to 192.0.2.1 but connection died. (#4.4.2)"
        ),
        expect(SOFT, c, "4.4.2", t(43)),
    )
    add(
        "ses dsn hard",
        ses_dsn(t(44), d, status="5.1.1", diag="550 5.1.1 user unknown"),
        expect(HARD, d, "5.1.1", t(44)),
    )
    add(
        "ses dsn suppressed list",
        ses_dsn(
            t(45),
            a,
            status="5.1.1",
            diag="554 5.1.1 Amazon SES has suppressed sending to this address because it "
            "has a recent history of bouncing as an invalid address.",
        ),
        expect(HARD, a, "5.1.1", t(45)),
    )
    add(
        "ses json permanent",
        ses_json(t(46), b, kind="Bounce", bounce_type="Permanent", sub="General"),
        expect(HARD, b, "5.1.1", t(46)),
    )
    add(
        "ses json transient",
        ses_json(t(47), c, kind="Bounce", bounce_type="Transient", sub="General"),
        expect(SOFT, c, "4.4.7", t(47)),
    )
    add(
        "ses json mailbox full",
        ses_json(t(48), d, kind="Bounce", bounce_type="Permanent", sub="MailboxFull"),
        expect(SOFT, d, "5.1.1", t(48)),
    )
    add("ses json complaint", ses_json(t(49), a, kind="Complaint"), expect(COMPLAINT, a, "", t(49)))
    add(
        "vacation english",
        vacation(
            t(50),
            "Bruno <bruno@example.com>",
            subject="Out of Office: Our December offers",
            header="Auto-Submitted: auto-replied\n",
            body="I am out of the office until 4 January with no access to e-mail.",
        ),
        expect(AUTO, b, "", t(50)),
    )
    add(
        "vacation portuguese",
        vacation(
            t(51),
            "ana.silva@example.pt",
            subject="Resposta automática: Our December offers",
            header="",
            body="Estou de férias até dia 4 de janeiro. Obrigada.",
        ),
        expect(AUTO, a, "", t(51)),
    )
    add(
        "vacation spanish",
        vacation(
            t(52),
            "Diego <diego@example.es>",
            subject="Respuesta automática: Our December offers",
            header="X-Autoreply: yes\n",
            body="Estoy fuera de la oficina hasta el lunes.",
        ),
        expect(AUTO, d, "", t(52)),
    )
    add(
        "vacation italian",
        vacation(
            t(53),
            "carla.rossi@example.it",
            subject="Risposta automatica: Our December offers",
            header="Precedence: auto_reply\n",
            body="Sono fuori ufficio fino al 7 gennaio.",
        ),
        expect(AUTO, c, "", t(53)),
    )
    add(
        "outlook automatic reply",
        vacation(
            t(54),
            "Bruno <bruno@example.com>",
            subject="Automatic reply: Our December offers",
            header="X-Auto-Response-Suppress: All\n"
            "X-MS-Exchange-Inbox-Rules-Loop: bruno@example.com\n",
            body="Thank you for your message. I am travelling and will reply next week; the "
            "mailbox is full of unread mail, please be patient.",
        ),
        expect(AUTO, b, "", t(54)),
    )
    add(
        "auto-submitted only",
        vacation(
            t(55),
            "diego@example.es",
            subject="Re: Our December offers",
            header="Auto-Submitted: auto-replied (vacation)\n",
            body="I'm away.",
        ),
        expect(AUTO, d, "", t(55)),
    )
    add(
        "german abwesenheitsnotiz",
        vacation(
            t(56),
            "ana.silva@example.pt",
            subject="Abwesenheitsnotiz: Our December offers",
            header="",
            body="Ich bin bis 4. Januar nicht im Büro.",
        ),
        expect(AUTO, a, "", t(56)),
    )
    add(
        "human reply is unknown",
        vacation(
            t(57),
            "carla.rossi@example.it",
            subject="Re: Our December offers",
            header="",
            body="Thanks, I would like the red one in size M. Could not find it on the site.",
        ),
        expect(UNKNOWN, "", "", t(57)),
    )
    s.extend(_odd_ones(a, b, c, d))
    return s


def _odd_ones(a: str, b: str, c: str, d: str) -> list[tuple[str, str, dict[str, Any]]]:
    s: list[tuple[str, str, dict[str, Any]]] = []
    two = postfix(
        t(60), a, action="failed", status="5.1.1", diag="550 5.1.1 unknown", orig_rcpt=False
    ).replace(
        "Final-Recipient: rfc822; ana.silva@example.pt",
        f"Final-Recipient: rfc822; {b}\nAction: delivered\nStatus: 2.0.0\n\n"
        "Final-Recipient: rfc822; ana.silva@example.pt",
    )
    s.append(("two recipients, one failed", two, expect(HARD, a, "5.1.1", t(60))))
    only_mid = postfix(
        t(61), b, action="failed", status="5.1.1", diag="550 5.1.1 unknown", orig_rcpt=False
    )
    only_mid = (
        only_mid.replace(f"Delivered-To: {verp(t(61))}\n", "")
        .replace(f"To: {verp(t(61))}", "To: bounces@mail.shop.example")
        .replace(
            f"X-Postfix-Sender: rfc822; {verp(t(61))}",
            "X-Postfix-Sender: rfc822; news@shop.example",
        )
        .replace(f"Return-Path: <{verp(t(61))}>", "Return-Path: <news@shop.example>")
    )
    s.append(("message-id only", only_mid, expect(HARD, b, "5.1.1", "")))
    no_blocks = postfix(t(62), c, action="failed", status="5.1.1", diag="", orig_rcpt=False)
    no_blocks = no_blocks.replace("Final-Recipient: rfc822; carla.rossi@example.it\n", "").replace(
        "Action: failed\nStatus: 5.1.1\nRemote-MTA: dns; mx.example.net\n", ""
    )
    s.append(("dsn without recipient blocks", no_blocks, expect(UNKNOWN, "", "", t(62))))
    report_no_part = (
        "From: MAILER-DAEMON@x.example\nTo: " + verp(t(63)) + "\nSubject: report\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="zz"\n\n--zz\nContent-Type: text/plain\n\nnothing here\n--zz--\n'
    )
    s.append(("multipart/report without its part", report_no_part, expect(UNKNOWN, "", "", t(63))))
    broken = (
        "From: MAILER-DAEMON@y.example\nTo: " + verp(t(64)) + "\nSubject: Undelivered Mail\n"
        "MIME-Version: 1.0\nContent-Type: multipart/report; report-type=delivery-status; "
        'boundary="never-closed"\n\n--never-closed\nContent-Type: message/delivery-status\n\n'
        "Reporting-MTA: dns; y.example\n\nFinal-Recipient: rfc822; " + d + "\nAction: failed\n"
        "Status: 5.1.1\n"
    )
    s.append(("boundary never closed", broken, expect(HARD, d, "5.1.1", t(64))))
    s.append(("empty mail", "", expect(UNKNOWN)))
    s.append(("headers only", "Subject: hello\n\n", expect(UNKNOWN)))
    s.append(("binary garbage", "\x00\xff\xfe garbage \x01\x02 --\n\n\x00", expect(UNKNOWN)))
    s.append(
        (
            "newsletter spam",
            "From: deals@spam.example\nTo: "
            + verp(t(65))
            + "\nSubject: You won!\n\nClick here to claim your prize.\n",
            expect(UNKNOWN, "", "", t(65)),
        )
    )
    lowercase = (
        postfix(t(66), a, action="failed", status="5.1.1", diag="550 5.1.1 no", orig_rcpt=False)
        .replace("Status: 5.1.1", "status: 5.1.1")
        .replace("Action: failed", "ACTION: FAILED")
    )
    s.append(("field names in other case", lowercase, expect(HARD, a, "5.1.1", t(66))))
    folded = exim_dsn(t(67), b, status="5.1.1", diag="550 5.1.1 mailbox\n  unavailable")
    s.append(("folded diagnostic", folded, expect(HARD, b, "5.1.1", t(67))))
    s.append(
        (
            "daemon mail that is not a bounce",
            "From: MAILER-DAEMON@z.example\nTo: "
            + verp(t(68))
            + "\nSubject: Postmaster notify: see transcript\n\nAll is well.\n",
            expect(UNKNOWN, "", "", t(68)),
        )
    )
    s.append(
        (
            "dsn status only in diagnostic",
            postfix(
                t(69), c, action="failed", status="", diag="550 5.1.1 user unknown", orig_rcpt=False
            ),
            expect(HARD, c, "5.1.1", t(69)),
        )
    )
    bad_json = ses_json(t(70), d, kind="Bounce", bounce_type="Permanent").replace(
        '"notificationType"', '"notificationType" oops'
    )
    s.append(("broken SES JSON", bad_json, expect(UNKNOWN)))
    return s


SAMPLES = _build()
