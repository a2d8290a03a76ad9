"""Fixed keys for the test suite (synthetic data only): the suite never reads a real key file."""

CURRENT = "-InhQ5uKH1rhfNXIPYYNqgU1ZBrkBnL-wcb3S0GjMcA="
OTHER = "yMSHkLVoKjVeTbPlV17oYiETIWt8dccZm7WrkkQER2Q="
SEARCH = "iqWSsZ3-E-T0ewBDcC1SrY3-d8YB6ybzjWyY1omTDNY="
