def main() -> int:
    print("linetint")
    return 0
