raise "sample sheet is empty"
