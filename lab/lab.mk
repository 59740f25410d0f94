# fleetports lab fleet (included by the top-level Makefile; runs from the repo root)
N ?= 12

.PHONY: lab-up lab-down lab-status lab-verify
lab-up:
	lab/lab.sh up $(N)

lab-down:
	lab/lab.sh down

lab-status:
	lab/lab.sh status

lab-verify:
	lab/verify.sh
