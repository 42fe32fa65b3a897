module github.com/wharf-project/wharf

go 1.26.8
