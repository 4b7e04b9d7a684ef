"""The national payment platform (Nền tảng thanh toán trên Cổng Dịch vụ công quốc gia).

Reserved module: being written (session 2)."""
