"""Razorpay: payment links, single-use UPI QR codes and webhooks, through the `razorpay` SDK."""
