"""TicketKing's HTTP service: merchants, events, tickets, API keys and one-time entry."""
