"""The compute role: one worker per hypervisor, queue compute.<host>."""
